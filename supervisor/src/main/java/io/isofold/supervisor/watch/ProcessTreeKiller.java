package io.isofold.supervisor.watch;

import io.isofold.supervisor.proc.ProcessTable;
import java.time.Duration;import java.util.HashSet;
import java.util.Set;

/**
 * Ends every process of an attempt: SIGTERM to all, up to {@code grace} for them to go, then SIGKILL
 * to whatever is left, scanning again after each round because a process may fork while it is being
 * killed. Blocks; run it off the run loop's thread.
 */
public final class ProcessTreeKiller {
    private static final long POLL_MILLIS = 50;
    private static final int KILL_ROUNDS = 50;

    private ProcessTreeKiller() {}

    /** @return how many processes were signalled in all */
    public static int kill(AttemptProcesses attempt, Duration grace) throws InterruptedException {
        Set<Long> alive = attempt.refreshThoroughly(ProcessTable.scan());
        if (alive.isEmpty()) {
            return 0;
        }
        Set<Long> signalled = new HashSet<>();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            for (long pid : Set.copyOf(alive)) {
                if (attempt.stillMember(pid) && signalled.add(pid)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                }
            }
            Thread.sleep(POLL_MILLIS);
            alive = attempt.refresh(ProcessTable.scan());
        }
        for (int round = 0; round < KILL_ROUNDS; round++) {
            alive = attempt.refreshThoroughly(ProcessTable.scan());
            if (alive.isEmpty()) {
                return signalled.size();
            }
            for (long pid : Set.copyOf(alive)) {
                // checked just before the signal: a pid that died since the scan may already be a stranger's
                if (attempt.stillMember(pid)) {
                    signalled.add(pid);
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Thread.sleep(POLL_MILLIS / 5);
        }
        alive = attempt.refreshThoroughly(ProcessTable.scan());
        if (!alive.isEmpty()) {
            throw new IllegalStateException("processes " + alive + " survived SIGKILL");
        }
        return signalled.size();
    }
}
