package io.isofold.supervisor.watch;

import io.isofold.shared.WorkerEnv;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every process that belongs to one attempt, tracked across scans: the processes of its session,
 * their descendants (also those that started a session of their own), and, at clean-up, any process
 * whose environment carries the attempt's {@code ISOFOLD_ATTEMPT_DIR}, which finds a double-forked
 * daemon that left both the session and the process tree. A process once seen stays a member while
 * the same (pid, start time) lives, so re-parenting to init does not hide it.
 *
 * <p>Not thread-safe: one thread (the watchdog tick or the clean-up that replaces it) uses it at a time.
 */
public final class AttemptProcesses {
    private final long sessionId;
    private final long launchTicks;
    private final String marker;
    private final Map<Long, Long> members = new HashMap<>(); // pid -> start ticks

    /**
     * @param rootPid     the launched child
     * @param sessionId   the session the launcher gave it (its pid, when started through setsid)
     * @param launchTicks the root's start time: nothing of the attempt started before it
     * @param attemptDir  the attempt's ISOFOLD_ATTEMPT_DIR value
     */
    public AttemptProcesses(long rootPid, long sessionId, long launchTicks, String attemptDir) {
        this.sessionId = sessionId;
        this.launchTicks = launchTicks;
        this.marker = attemptDir;
        members.put(rootPid, launchTicks);
    }

    /** Updates the members from a scan: drops the dead, adds the session and the descendants. */
    public Set<Long> refresh(ProcessTable table) {
        members.entrySet().removeIf(m -> table.get(m.getKey()).map(e -> e.startTicks() != m.getValue()).orElse(true));
        // a session id is the leader's pid: if another process now has that pid, the number was reused
        boolean sessionOurs = table.get(sessionId).map(leader -> leader.startTicks() == launchTicks).orElse(true);
        for (ProcessTable.Entry e : table.entries().values()) {
            if (sessionOurs && e.sid() == sessionId && e.startTicks() >= launchTicks) {
                members.put(e.pid(), e.startTicks());
            }
        }
        // descendants that left the session: follow parent links until no new member appears
        boolean grew = true;
        while (grew) {
            grew = false;
            for (ProcessTable.Entry e : table.entries().values()) {
                if (!members.containsKey(e.pid()) && members.containsKey(e.ppid())) {
                    members.put(e.pid(), e.startTicks());
                    grew = true;
                }
            }
        }
        return members.keySet();
    }

    /**
     * {@link #refresh} plus the environment marker, for processes started since the attempt that are
     * not (or no longer) reachable through the tree. Costlier, so used when an attempt ends or is killed.
     */
    public Set<Long> refreshThoroughly(ProcessTable table) {
        refresh(table);
        for (ProcessTable.Entry e : table.entries().values()) {
            if (!members.containsKey(e.pid()) && e.startTicks() >= launchTicks
                    && marker.equals(ProcessTable.environmentValue(e.pid(), WorkerEnv.ATTEMPT_DIR).orElse(null))) {
                members.put(e.pid(), e.startTicks());
            }
        }
        return members.keySet();
    }

    public long residentBytes(ProcessTable table) {
        long sum = 0;
        for (long pid : refresh(table)) {
            sum += table.get(pid).map(ProcessTable.Entry::rssBytes).orElse(0L);
        }
        return sum;
    }
}
