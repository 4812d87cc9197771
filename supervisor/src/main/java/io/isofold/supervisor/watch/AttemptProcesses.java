package io.isofold.supervisor.watch;

import io.isofold.supervisor.proc.ProcessTable;
import io.isofold.shared.WorkerEnv;import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every process that belongs to one attempt, tracked across scans: the processes of its session,
 * their descendants (also those that started a session of their own), and, at clean-up, any process
 * whose environment carries the attempt's {@code ISOFOLD_ATTEMPT_DIR}, which finds a double-forked
 * daemon that left both the session and the process tree. A process once seen stays a member while
 * the same (pid, start time) lives, so re-parenting to init does not hide it.
 *
 * <p>Thread-safe: the watchdog's tick and a kill on another thread may use it at once.
 */
public final class AttemptProcesses {
    private final long sessionId;
    private final long launchTicks;
    private final List<Marker> markers = new CopyOnWriteArrayList<>();
    private final Map<Long, Long> members = new HashMap<>(); // pid -> start ticks

    /**
     * @param rootPid     the launched child
     * @param sessionId   the session the launcher gave it (its pid, when started through setsid)
     * @param launchTicks the root's start time: nothing of the attempt started before it
     * @param attemptDir  the attempt's ISOFOLD_ATTEMPT_DIR value
     */
    public AttemptProcesses(long rootPid, long sessionId, long launchTicks, String attemptDir) {
        this(rootPid, sessionId, launchTicks, Marker.attemptDir(attemptDir));
    }

    /** @param marker the environment variable, and its value, that every process of the attempt inherits */
    public AttemptProcesses(long rootPid, long sessionId, long launchTicks, Marker marker) {
        this.sessionId = sessionId;
        this.launchTicks = launchTicks;
        this.markers.add(marker);
        members.put(rootPid, launchTicks);
    }

    /**
     * What every process of an attempt carries in its environment and no stranger does: its
     * ISOFOLD_ATTEMPT_DIR, or for a worker started as a standby (which had no attempt yet), its
     * ISOFOLD_STANDBY. A process cannot change what /proc shows of the environment it started with.
     */
    public record Marker(String variable, String value) {
        public static Marker attemptDir(String dir) {
            return new Marker(WorkerEnv.ATTEMPT_DIR, dir);
        }

        public static Marker standby(String handoffFile) {
            return new Marker(WorkerEnv.STANDBY, handoffFile);
        }

        boolean carriedBy(long pid) {
            return value.equals(ProcessTable.environmentValue(pid, variable).orElse(null));
        }
    }

    /**
     * The processes of an attempt known only by its marker: those carrying its ISOFOLD_ATTEMPT_DIR.
     * For attempts of an earlier boot (their pids and sessions mean nothing now), and for attempts
     * whose exit status proves the worker ended (what is left is found by the marker, which no
     * stranger carries, never by a pid or session that may have been reused since).
     */
    public static AttemptProcesses byMarker(String attemptDir) {
        return new AttemptProcesses(attemptDir);
    }

    private AttemptProcesses(String attemptDir) {
        this.sessionId = -1;
        this.launchTicks = 0;
        this.markers.add(Marker.attemptDir(attemptDir));
    }

    /**
     * Another variable a process of the attempt may carry instead: a standby worker, once handed its
     * attempt, passes the attempt's ISOFOLD_ATTEMPT_DIR (not its own ISOFOLD_STANDBY) to what it starts.
     */
    public void alsoMarkedBy(Marker marker) {
        markers.add(marker);
    }

    /** Updates the members from a scan: drops the dead, adds the session and the descendants. */
    public synchronized Set<Long> refresh(ProcessTable table) {
        members.entrySet().removeIf(m -> table.get(m.getKey()).map(e -> e.startTicks() != m.getValue()).orElse(true));
        // a session id is the leader's pid, and is ours only while our leader lives: once it is gone the
        // number may be reused, and what is left of ours is found by the tree and the marker instead
        boolean sessionOurs = sessionId > 0
                && table.get(sessionId).map(leader -> leader.startTicks() == launchTicks).orElse(false);
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
    public synchronized Set<Long> refreshThoroughly(ProcessTable table) {
        refresh(table);
        for (ProcessTable.Entry e : table.entries().values()) {
            if (!members.containsKey(e.pid()) && e.startTicks() >= launchTicks
                    && markers.stream().anyMatch(m -> m.carriedBy(e.pid()))) {
                members.put(e.pid(), e.startTicks());
            }
        }
        return members.keySet();
    }

    /** The memory the attempt's processes use, shared pages counted once ({@link ProcessTable#proportionalBytes}). */
    public synchronized long memoryBytes(ProcessTable table) {
        long sum = 0;
        for (long pid : refresh(table)) {
            sum += table.get(pid).map(ProcessTable::proportionalBytes).orElse(0L);
        }
        return sum;
    }

    /** Whether {@code pid} is still the process this attempt knew (the same start time), just before it is signalled. */
    public synchronized boolean stillMember(long pid) {
        Long ticks = members.get(pid);
        return ticks != null && ProcessTable.read(pid).map(e -> e.startTicks() == ticks).orElse(false);
    }
}
