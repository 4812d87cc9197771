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
 * @param directions which way its metrics are better, as its result declared them (metric to {@code min} or
 *                   {@code max}); empty when it declared none. The run keeps only the first declaration of each
 *                   metric, so most outcomes it keeps have none ({@link RunHistory#undeclared})
 */
public record Outcome(Instant ended, Verdict verdict, String reason, Integer exitCode, Map<String, Double> metrics,
        Double durationS, String stderrTail, ContinuedFrom continuedFrom, Map<String, String> directions) {

    public Outcome {
        // kept for the whole run, for every completed attempt: compact (MetricValues)
        metrics = MetricValues.of(metrics);
        directions = directions == null || directions.isEmpty() ? Map.of() : directions;
    }

    public Outcome(Instant ended, Verdict verdict, String reason, Integer exitCode, Map<String, Double> metrics,
            Double durationS, String stderrTail, ContinuedFrom continuedFrom) {
        this(ended, verdict, reason, exitCode, metrics, durationS, stderrTail, continuedFrom, Map.of());
    }

    public Outcome(Instant ended, Verdict verdict, String reason, Integer exitCode, Map<String, Double> metrics,
            Double durationS, String stderrTail) {
        this(ended, verdict, reason, exitCode, metrics, durationS, stderrTail, null);
    }

    /** The same outcome, declaring these directions only. */
    public Outcome withDirections(Map<String, String> declared) {
        return new Outcome(ended, verdict, reason, exitCode, metrics, durationS, stderrTail, continuedFrom, declared);
    }

    public boolean completed() {
        return verdict == Verdict.COMPLETED;
    }
}
