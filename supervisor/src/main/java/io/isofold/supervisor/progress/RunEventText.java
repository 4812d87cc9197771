package io.isofold.supervisor.progress;

import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.report.MetricDirection;
import io.isofold.supervisor.text.TerminalText;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The one wording of run events, for the live line's notes and the log alike. */
public final class RunEventText {
    private RunEventText() {}

    public static String of(RunEvent e) {
        if (e instanceof RunEvent.Began b) {
            return (b.resumed() ? "resuming the run in " : "starting a run in ") + b.dir() + ": " + b.required()
                    + " replicate(s) on " + b.slots() + " slot(s)"
                    + (b.resumed() ? ", " + b.completed() + " already completed, " + b.spent() + " of "
                            + b.budget() + " attempts used" : "");
        }
        if (e instanceof RunEvent.Launched l) {
            return l.id().label() + " started on " + l.slot() + " (" + l.where() + ")";
        }
        if (e instanceof RunEvent.Killing k) {
            return "killing " + k.id().label() + " on " + k.slot() + ": " + TerminalText.oneLine(k.reason());
        }
        if (e instanceof RunEvent.Finished f) {
            return f.id().label() + " " + outcome(f.outcome()) + (f.outcome().completed() || f.attemptDir() == null
                    ? "" : " [logs: " + f.attemptDir() + "]");
        }
        if (e instanceof RunEvent.GaveUp g) {
            return "gave up replicate " + g.last().replicate() + " (" + g.last().model() + ", fold " + g.last().fold()
                    + ") after " + g.failures() + " failed " + (g.failures() == 1 ? "attempt" : "attempts");
        }
        if (e instanceof RunEvent.Quarantined q) {
            return "GPU " + q.gpu() + " is taken out of the run: " + q.reason();
        }
        if (e instanceof RunEvent.Stopping s) {
            return s.cause() + ": stopping; ending " + s.running() + " running "
                    + (s.running() == 1 ? "attempt" : "attempts") + " (up to --kill-grace each)";
        }
        if (e instanceof RunEvent.StillStopping s) {
            return "received " + s.signal() + " again; still stopping " + s.running() + " "
                    + (s.running() == 1 ? "attempt" : "attempts") + ", please wait";
        }
        RunEvent.Ended end = (RunEvent.Ended) e;
        return "run ended: " + end.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (exit status "
                + end.status().code() + ")" + (end.reason() == null ? "" : ": " + end.reason().lines().findFirst().orElse(""));
    }

    /** "completed in 3.1 s (accuracy 0.91, loss 0.25)", "timed out: still running after 30s (--timeout)". */
    public static String outcome(Outcome o) {
        if (o.completed()) {
            return "completed in " + String.format(Locale.ROOT, "%.1f s", o.durationS() == null ? 0 : o.durationS())
                    + metrics(o.metrics());
        }
        // the reason may quote a worker (a metric's name), and the tail is the worker's: one line each
        String text = o.verdict().phrase() + (o.reason() == null ? "" : ": " + TerminalText.oneLine(o.reason()));
        if (o.stderrTail() != null && !o.stderrTail().isBlank() && o.verdict() != Verdict.INTERRUPTED) {
            text += " | stderr: " + TerminalText.oneLine(lastLine(o.stderrTail()));
        }
        return text;
    }

    private static String metrics(Map<String, Double> metrics) {
        if (metrics.isEmpty()) {
            return "";
        }
        // the reader's order (val_accuracy, val_loss first), not the map's
        return MetricDirection.displayOrder(metrics.keySet()).stream().limit(4)
                .map(m -> TerminalText.oneLine(m) + " " + String.format(Locale.ROOT, "%.4g", metrics.get(m)))
                .collect(Collectors.joining(", ", " (", metrics.size() > 4 ? ", ...)" : ")"));
    }

    private static String lastLine(String tail) {
        String[] lines = tail.strip().split("\n");
        String last = lines[lines.length - 1].strip();
        return last.length() <= 160 ? last : last.substring(0, 157) + "...";
    }
}
