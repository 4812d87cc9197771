package io.isofold.supervisor.report;

import java.util.List;

/** The verdict names of the journal, in the order legends list them. */
final class Verdicts {
    static final String RUNNING = "running";
    static final String COMPLETED = "completed";
    static final String INTERRUPTED = "interrupted";

    static final List<String> ALL = List.of(COMPLETED, "failed", "timeout", "stall", "memory", INTERRUPTED,
            "bad-task", "supervisor-lost", RUNNING);

    private Verdicts() {}

    /** Bar colour of a verdict; unknown verdicts (a newer journal) get a neutral grey rather than an error. */
    static String colour(String verdict) {
        if (verdict == null) {
            return "#bbbbbb";
        }
        return switch (verdict) {
            case COMPLETED -> "#2ca02c";
            case "failed" -> "#d62728";
            case "timeout" -> "#ff7f0e";
            case "stall" -> "#9467bd";
            case "memory" -> "#8c564b";
            case INTERRUPTED -> "#9e9e9e";
            case "bad-task" -> "#111111";
            case "supervisor-lost" -> "#f06bb4";
            case RUNNING -> "#1f77b4";
            default -> "#bbbbbb";
        };
    }
}
