package io.isofold.supervisor.journal;

import java.time.Instant;
import java.util.Map;

/**
 * One attempt as the journal tells it. {@code verdict} is null while it runs (or, after a crash of
 * the supervisor, until a resume records it as lost).
 */
public record AttemptRecord(
        AttemptId id,
        String slot,
        String gpu,
        long pid,
        long sid,
        long startTicks,
        String attemptDir,
        Instant started,
        Instant ended,
        Verdict verdict,
        String reason,
        Integer exitCode,
        Map<String, Double> metrics,
        Double durationS) {

    AttemptRecord ended(JournalEvent end) {
        return new AttemptRecord(id, slot, gpu, pid, sid, startTicks, attemptDir, started,
                Instant.parse(end.time()), Verdict.of(end.verdict()), end.reason(), end.exitCode(),
                end.metrics() == null ? Map.of() : Map.copyOf(end.metrics()), end.durationS());
    }

    /** As a dead supervisor left it: ended when last seen, without a verdict of the worker's own. */
    public AttemptRecord lost(Instant seen) {
        return new AttemptRecord(id, slot, gpu, pid, sid, startTicks, attemptDir, started, seen,
                Verdict.SUPERVISOR_LOST, "the supervisor is not running", null, Map.of(), null);
    }

    public boolean running() {
        return verdict == null;
    }
}
