package io.isofold.supervisor.progress;

import com.google.common.base.Ascii;
import io.isofold.supervisor.journal.ContinuedFrom;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.MetricDirection;
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
            ContinuedFrom from = f.outcome().continuedFrom();
            return f.id().label() + (from == null ? "" : " (continued from " + from.label() + ")") + " "
                    + outcome(f.outcome()) + (f.outcome().completed() || f.attemptDir() == null
                    ? "" : " [logs: " + f.attemptDir() + "]");
        }
        if (e instanceof RunEvent.GaveUp g) {
            return "gave up replicate " + g.last().replicate() + " (" + g.last().model() + ", fold " + g.last().fold()
                    + ") after " + g.failures() + " failed " + (g.failures() == 1 ? "attempt" : "attempts")
                    + (g.why() == null ? "" : ": " + g.why() + "; more would fail alike (--retry-identical)");
        }
        if (e instanceof RunEvent.Quarantined q) {
            return "GPU " + q.gpu() + " is taken out of the run: " + q.reason();
        }
        if (e instanceof RunEvent.Eliminated x) {
            return eliminated(x);
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

    /**
     * "race: mlp-a is eliminated after 3 folds: val_accuracy worse than mlp-b's by 0.031 over 3 paired folds
     * (t = 5.20, p = 0.018 < 0.05); 1 running attempt ended; 4 variants racing".
     */
    static String eliminated(RunEvent.Eliminated x) {
        JournalEvent.Eliminated e = x.line();
        StringBuilder text = new StringBuilder("race: ").append(e.model()).append(" is eliminated after ")
                .append(e.afterFolds()).append(e.afterFolds() == 1 ? " fold: " : " folds: ").append(e.metric())
                .append(" worse than ").append(e.best()).append("'s by ")
                .append(String.format(Locale.ROOT, "%.4g", e.difference())).append(" over ").append(e.folds())
                .append(" paired folds (t = ")
                .append(e.statistic() == null ? "inf, the same gap on every fold"
                        : String.format(Locale.ROOT, "%.2f", e.statistic()))
                .append(String.format(Locale.ROOT, ", p = %.3g < %s)", e.p(), e.alpha()));
        if (x.ended() > 0) {
            text.append("; ").append(x.ended()).append(x.ended() == 1 ? " running attempt" : " running attempts")
                    .append(" ended");
        }
        text.append("; ").append(x.racing()).append(x.racing() == 1 ? " variant" : " variants").append(" racing");
        if (x.racing() < 2) {
            text.append(": the race is over, it runs every remaining replicate");
        }
        return text.toString();
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
        return Ascii.truncate(last, 160, "...");
    }
}
