package io.isofold.supervisor.watch;

import io.isofold.shared.WorkerEnv;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds and kills processes of a run's attempts that outlived the supervisor that started them:
 * every process whose ISOFOLD_ATTEMPT_DIR lies under the run's directory. Called with the run's
 * lock held, so no live supervisor owns them.
 */
public final class OrphanSweep {
    private OrphanSweep() {}

    /** @return the number of processes killed, per attempt directory */
    public static Map<String, Integer> killOrphans(String attemptDirPrefix, Duration grace) throws InterruptedException {
        return killOrphans(WorkerEnv.ATTEMPT_DIR, attemptDirPrefix, grace);
    }

    /**
     * Every process whose environment variable {@code variable} starts with {@code prefix}, grouped by
     * that value (one attempt, or one standby worker, each).
     *
     * @return the number of processes killed, per value
     */
    public static Map<String, Integer> killOrphans(String variable, String prefix, Duration grace)
            throws InterruptedException {
        ProcessTable table = ProcessTable.scan();
        Map<String, ProcessTable.Entry> firstOfAttempt = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        for (ProcessTable.Entry e : table.entries().values()) {
            if (e.pid() == self) {
                continue;
            }
            ProcessTable.environmentValue(e.pid(), variable)
                    .filter(value -> value.startsWith(prefix))
                    .ifPresent(dir -> firstOfAttempt.merge(dir, e,
                            (a, b) -> a.startTicks() <= b.startTicks() ? a : b));
        }
        Map<String, Integer> killed = new LinkedHashMap<>();
        for (Map.Entry<String, ProcessTable.Entry> m : firstOfAttempt.entrySet()) {
            ProcessTable.Entry oldest = m.getValue();
            AttemptProcesses attempt = new AttemptProcesses(oldest.pid(), oldest.sid(), oldest.startTicks(),
                    new AttemptProcesses.Marker(variable, m.getKey()));
            killed.put(m.getKey(), ProcessTreeKiller.kill(attempt, grace));
        }
        return killed;
    }
}
