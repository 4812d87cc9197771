package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.ContinuedFrom;
import io.isofold.supervisor.journal.MetricValues;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One attempt as reports see it.
 *
 * @param replicate replicate id, unique in the run across models
 * @param index     the replicate's index within its model; equal indices of different models share fold and shuffle
 * @param slot      e.g. {@code gpu0/0}, {@code gpu3/1} (GPU 3, second worker), {@code cpu/0}
 * @param gpu       physical GPU index {@code 0}.. or {@code cpu}
 * @param ended     null while running
 * @param verdict   how it ended; null while it runs
 * @param reason    human text such as {@code exit 1} or {@code timeout after 30s}; null when completed
 * @param metrics   empty unless completed
 * @param runDir    the run's output directory, one instance shared by every view (a Path per attempt cost 10 MB at
 *                  100,000 attempts); the attempt's own directory is {@link #attemptDir()}
 * @param stderrTail the last lines of its stderr when it did not complete; null otherwise
 * @param standbySince when its worker was started as a standby (then {@code started} is when it got its
 *                   task), or null
 * @param continuedFrom where its worker continued from (a checkpoint of the replicate's earlier attempts), as its
 *                   journal line says once it has ended; null for a fresh start, and while it runs
 */
public record AttemptView(int replicate, String model, int index, int fold, int shuffle, int attempt,
        String slot, String gpu, Instant started, Instant ended, Verdict verdict, String reason,
        Integer exitCode, Map<String, Double> metrics, Path runDir, String stderrTail, Instant standbySince,
        ContinuedFrom continuedFrom) {

    public AttemptView {
        // the journal's metrics are compact already, and taken as they are: a report of 100,000 attempts
        // must not copy them all again. Null values (a hand-edited journal) are kept.
        metrics = MetricValues.of(metrics);
    }

    /** An attempt that did not continue from a checkpoint (or not known to). */
    public AttemptView(int replicate, String model, int index, int fold, int shuffle, int attempt, String slot,
            String gpu, Instant started, Instant ended, Verdict verdict, String reason, Integer exitCode,
            Map<String, Double> metrics, Path runDir, String stderrTail, Instant standbySince) {
        this(replicate, model, index, fold, shuffle, attempt, slot, gpu, started, ended, verdict, reason, exitCode,
                metrics, runDir, stderrTail, standbySince, null);
    }

    /** An attempt whose worker was started for it. */
    public AttemptView(int replicate, String model, int index, int fold, int shuffle, int attempt, String slot,
            String gpu, Instant started, Instant ended, Verdict verdict, String reason, Integer exitCode,
            Map<String, Double> metrics, Path runDir, String stderrTail) {
        this(replicate, model, index, fold, shuffle, attempt, slot, gpu, started, ended, verdict, reason, exitCode,
                metrics, runDir, stderrTail, null);
    }

    /** Running by its verdict, not by a missing end: an attempt a dead supervisor left has a verdict but no end. */
    public boolean running() {
        return verdict == null;
    }

    public boolean completed() {
        return verdict == Verdict.COMPLETED;
    }

    /** The same attempt, continued from {@code from} (its worker's word, read while it runs). */
    public AttemptView continued(ContinuedFrom from) {
        return new AttemptView(replicate, model, index, fold, shuffle, attempt, slot, gpu, started, ended, verdict,
                reason, exitCode, metrics, runDir, stderrTail, standbySince, from);
    }

    /** Seconds from start to end, or to {@code now} while running; null when start or end is unknown. */
    public Double durationSeconds(Instant now) {
        Instant end = ended != null ? ended : running() ? now : null;
        if (started == null || end == null) {
            return null;
        }
        return Math.max(0, end.toEpochMilli() - started.toEpochMilli()) / 1000.0;
    }

    /** Where the attempt's progress.jsonl, stdout.log, stderr.log and result.json are; null without a run directory. */
    public Path attemptDir() {
        return runDir == null ? null : new RunFiles(runDir).attempt(replicate, attempt).dir();
    }
}
