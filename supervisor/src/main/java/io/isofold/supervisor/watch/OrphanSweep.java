package io.isofold.supervisor.watch;

import io.isofold.supervisor.proc.ProcessTable;
import io.isofold.shared.WorkerEnv;import java.time.Duration;
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
        Map<String, ProcessTable.Entry> firstOfAttempt = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        // Each process's environment first, its stat file only when the environment names the run: the
        // kernel builds /proc/PID/stat from every thread of the process, which for a machine's processes
        // (JVMs of hundreds of threads among them) cost 15 to 20 ms of every start, three times the
        // environments' reading.
        for (long pid : ProcessTable.pids()) {
            if (pid == self) {
                continue;
            }
            ProcessTable.environmentValue(pid, variable)
                    .filter(value -> value.startsWith(prefix))
                    .ifPresent(value -> ProcessTable.read(pid).filter(ProcessTable.Entry::alive)
                            .ifPresent(e -> firstOfAttempt.merge(value, e,
                                    (a, b) -> a.startTicks() <= b.startTicks() ? a : b)));
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
