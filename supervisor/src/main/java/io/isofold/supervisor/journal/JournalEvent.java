package io.isofold.supervisor.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One line of {@code journal.jsonl}. A flat record with the fields of every event type; those an
 * event does not use are null and left out of the line.
 */
public record JournalEvent(
        String type,
        String time,
        Integer replicate,
        String model,
        Integer index,
        Integer fold,
        Integer shuffle,
        Integer attempt,
        String slot,
        String gpu,
        Long pid,
        Long sid,
        Long startTicks,
        String attemptDir,
        Integer exitCode,
        String verdict,
        String reason,
        Map<String, Double> metrics,
        Double durationS,
        String host,
        Integer exitStatus,
        JsonNode spec) {

    public static final String RUN_START = "run-start";
    public static final String LAUNCH = "launch";
    public static final String KILL = "kill";
    public static final String END = "end";
    public static final String RUN_END = "run-end";

    public static JournalEvent runStart(String time, long pid, String host, JsonNode spec) {
        return new JournalEvent(RUN_START, time, null, null, null, null, null, null, null, null, pid, null, null,
                null, null, null, null, null, null, host, null, spec);
    }

    public static JournalEvent launch(String time, AttemptId id, String slot, String gpu, long pid, long sid,
            long startTicks, String attemptDir) {
        return new JournalEvent(LAUNCH, time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(),
                id.attempt(), slot, gpu, pid, sid, startTicks, attemptDir, null, null, null, null, null, null, null, null);
    }

    public static JournalEvent kill(String time, AttemptId id, String verdict, String reason) {
        return new JournalEvent(KILL, time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(),
                id.attempt(), null, null, null, null, null, null, null, verdict, reason, null, null, null, null, null);
    }

    public static JournalEvent end(String time, AttemptId id, Integer exitCode, String verdict, String reason,
            Map<String, Double> metrics, double durationS) {
        return new JournalEvent(END, time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(),
                id.attempt(), null, null, null, null, null, null, exitCode, verdict, reason, metrics, durationS,
                null, null, null);
    }

    public static JournalEvent runEnd(String time, int exitStatus, String reason) {
        return new JournalEvent(RUN_END, time, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, reason, null, null, null, exitStatus, null);
    }

    public AttemptId attemptId() {
        return new AttemptId(replicate, model, index, fold, shuffle, attempt);
    }
}
