package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.Verdict;
import java.util.ArrayList;
import java.util.List;

/** How the reports show a verdict: its label (the journal's word), "running" for none yet, and its colour. */
final class Verdicts {
    static final String RUNNING = "running";

    /** Every label a report may show, in the order legends list them. */
    static final List<String> ALL = all();

    private Verdicts() {}

    private static List<String> all() {
        List<String> labels = new ArrayList<>();
        for (Verdict v : Verdict.values()) {
            labels.add(v.label());
        }
        labels.add(RUNNING);
        return List.copyOf(labels);
    }

    static String label(AttemptView a) {
        return a.running() ? RUNNING : a.verdict().label();
    }

    /** Bar colour of a verdict's label. */
    static String colour(String label) {
        if (RUNNING.equals(label)) {
            return "#1f77b4";
        }
        Verdict v;
        try {
            v = Verdict.of(label);
        } catch (IllegalArgumentException unknown) {
            return "#bbbbbb";
        }
        return switch (v) {
            case COMPLETED -> "#2ca02c";
            case FAILED -> "#d62728";
            case TIMEOUT -> "#ff7f0e";
            case STALL -> "#9467bd";
            case MEMORY -> "#8c564b";
            case INTERRUPTED -> "#9e9e9e";
            case BAD_TASK -> "#111111";
            case SUPERVISOR_LOST -> "#f06bb4";
            case NODE_LOST -> "#17becf";
            case ELIMINATED -> "#c7c7c7";
        };
    }
}
