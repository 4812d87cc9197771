package io.isofold.supervisor.journal;

import java.time.Instant;
import java.util.Map;

/**
 * How an attempt ended.
 *
 * @param exitCode   the worker's exit status, null when it never had one (it could not start, or the supervisor
 *                   that watched it died)
 * @param reason     why it did not complete, in the run's vocabulary; null when it completed
 * @param metrics    the result's metrics when completed, else empty
 * @param stderrTail the last meaningful lines of its stderr when it did not complete, else null
 * @param continuedFrom where its worker continued from (a checkpoint of the replicate's earlier attempts), or null
 */
public record Outcome(Instant ended, Verdict verdict, String reason, Integer exitCode, Map<String, Double> metrics,
        Double durationS, String stderrTail, ContinuedFrom continuedFrom) {

    public Outcome {
        // kept for the whole run, for every completed attempt: compact (MetricValues)
        metrics = MetricValues.of(metrics);
    }

    public Outcome(Instant ended, Verdict verdict, String reason, Integer exitCode, Map<String, Double> metrics,
            Double durationS, String stderrTail) {
        this(ended, verdict, reason, exitCode, metrics, durationS, stderrTail, null);
    }

    public boolean completed() {
        return verdict == Verdict.COMPLETED;
    }
}
