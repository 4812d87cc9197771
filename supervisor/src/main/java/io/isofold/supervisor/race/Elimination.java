package io.isofold.supervisor.race;

import io.isofold.supervisor.journal.JournalEvent;
import java.util.Locale;

/**
 * One decision of the race: drop {@code variant}, significantly worse than {@code best} on {@code metric}.
 *
 * @param afterFolds every variant still racing had settled (completed or given up) its first
 *                   {@code afterFolds} replicates when this was decided; only those were looked at
 * @param folds      the replicates among them that both {@code variant} and {@code best} completed: the pairs
 * @param better     {@code lower} or {@code higher}, the metric's direction
 * @param statistic  the paired t statistic, positive when {@code variant} is worse; null when every pair
 *                   differed by exactly the same amount (no spread: then p is 0)
 * @param p          one-sided p of "variant is worse than best", in [0, 1]
 * @param difference mean over the pairs of how much worse {@code variant} is, in the metric's units (> 0)
 */
public record Elimination(String variant, int afterFolds, int folds, String metric, String better,
        Double statistic, double p, String best, double difference) {

    /** The journal's line for it, with the --race-alpha it was decided with. */
    public JournalEvent.Eliminated event(String time, double alpha) {
        return new JournalEvent.Eliminated(time, variant, afterFolds, folds, metric, better, statistic, p, alpha, best,
                difference);
    }

    /**
     * The reason its running attempts are ended with, e.g. "eliminated by the race after 3 folds: val_accuracy
     * worse than mlp-b's (p=0.0041)".
     */
    public String reason() {
        return String.format(Locale.ROOT, "eliminated by the race after %d %s: %s worse than %s's (p=%.2g)", afterFolds,
                afterFolds == 1 ? "fold" : "folds", metric, best, p);
    }

    /** A decision as the journal recorded it. */
    public static Elimination of(JournalEvent.Eliminated e) {
        return new Elimination(e.model(), e.afterFolds(), e.folds(), e.metric(), e.better(), e.statistic(), e.p(),
                e.best(), e.difference());
    }
}
