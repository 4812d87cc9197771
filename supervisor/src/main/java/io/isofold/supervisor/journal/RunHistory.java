package io.isofold.supervisor.journal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A journal replayed: every attempt in launch order with how it ended, and the supervisor starts.
 * Pure: it reads events and touches no file, so {@code status}, {@code report} and a resume all
 * see the same history.
 */
public final class RunHistory {
    private final Map<String, AttemptRecord> attempts = new LinkedHashMap<>();
    private final Map<String, JournalEvent> kills = new LinkedHashMap<>();
    private JournalEvent lastRunEnd;
    private Instant firstStart;

    public static RunHistory replay(List<JournalEvent> events) {
        RunHistory h = new RunHistory();
        for (JournalEvent e : events) {
            h.apply(e);
        }
        return h;
    }

    private void apply(JournalEvent e) {
        switch (e.type()) {
            case JournalEvent.RUN_START -> {
                lastRunEnd = null;
                if (firstStart == null) {
                    firstStart = Instant.parse(e.time());
                }
            }
            case JournalEvent.LAUNCH -> attempts.put(key(e), new AttemptRecord(e.attemptId(), e.slot(), e.gpu(),
                    orZero(e.pid()), orZero(e.sid()), orZero(e.startTicks()), e.attemptDir(), Instant.parse(e.time()),
                    null, null, null, null, Map.of(), null));
            case JournalEvent.END -> {
                AttemptRecord launched = attempts.get(key(e));
                if (launched != null) {
                    attempts.put(key(e), launched.ended(e));
                }
            }
            case JournalEvent.KILL -> kills.put(key(e), e);
            case JournalEvent.RUN_END -> lastRunEnd = e;
            default -> { } // newer event types are ignored
        }
    }

    private static String key(JournalEvent e) {
        return e.replicate() + "/" + e.attempt();
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    public List<AttemptRecord> attempts() {
        return List.copyOf(attempts.values());
    }

    /** Attempts launched with no recorded end: running now, or left behind by a supervisor that died. */
    public List<AttemptRecord> unfinished() {
        return attempts.values().stream().filter(AttemptRecord::running).toList();
    }

    /** The kill the supervisor ordered for an attempt (timeout, stall, memory, interrupt), if any. */
    public Optional<JournalEvent> killOf(AttemptId id) {
        return Optional.ofNullable(kills.get(id.replicate() + "/" + id.attempt()));
    }

    /** The end of the latest supervisor's run, or null if it is running or died. */
    public JournalEvent lastRunEnd() {
        return lastRunEnd;
    }

    public Instant firstStart() {
        return firstStart;
    }
}
