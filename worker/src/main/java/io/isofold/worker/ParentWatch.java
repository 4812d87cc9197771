package io.isofold.worker;

import io.isofold.shared.WorkerEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Ends this JVM when the process that launched it dies. Linux could do this for us (PR_SET_PDEATHSIG)
 * but Java cannot ask for it, and an orphaned worker would hold its GPU's memory until it finished on
 * its own. Two signals are watched: the supervisor named by {@code ISOFOLD_SUPERVISOR_PID} (by PID and
 * start time, so that a recycled PID is not mistaken for it), and this JVM's parent PID changing, which
 * is what happens the moment a parent dies and the orphan is re-parented. When either dies, a training
 * that checkpoints saves at its next batch boundary first ({@link StopRequest}); anything else ends at once.
 */
public final class ParentWatch {
    public static final int EXIT_PARENT_GONE = WorkerEnv.EXIT_SUPERVISOR_LOST;
    static final long INTERVAL_MILLIS = 500;

    /** A process identified by PID and start time, since a PID alone may be reused after it dies. */
    record Watched(long pid, Instant start) {
        static Optional<Watched> of(long pid) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant().map(s -> new Watched(pid, s)));
        }

        boolean alive() {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty() || !h.get().isAlive() || zombie(pid)) {
                return false;
            }
            Optional<Instant> now = h.get().info().startInstant();
            return now.isEmpty() || now.get().equals(start);
        }
    }

    private final Watched supervisor;
    private final long parentPid;
    private final StopRequest stop;

    ParentWatch(Watched supervisor, long parentPid, StopRequest stop) {
        this.supervisor = supervisor;
        this.parentPid = parentPid;
        this.stop = stop;
    }

    /** {@link #start(Map, StopRequest)} for a JVM that trains nothing: a death ends it at once. */
    public static void start(Map<String, String> env) {
        start(env, new StopRequest());
    }

    /**
     * Starts the watch as a daemon thread. Exits at once (status 3) when the named supervisor is already
     * gone: the run this worker belongs to has ended.
     *
     * @param stop where a death is reported as a request to stop with status 3
     */
    public static void start(Map<String, String> env, StopRequest stop) {
        Watched supervisor = null;
        String pid = env.get(WorkerEnv.SUPERVISOR_PID);
        if (pid != null && !pid.isBlank()) {
            long p;
            try {
                p = Long.parseLong(pid.trim());
            } catch (NumberFormatException e) {
                throw new BadTaskException(WorkerEnv.SUPERVISOR_PID + " is not a PID: '" + pid + "'");
            }
            supervisor = Watched.of(p).filter(Watched::alive).orElse(null);
            if (supervisor == null) {
                exit("supervisor process " + p + " is not running");
            }
        }
        // PID 1 (or a subreaper) as parent from the start means the launcher has already gone or detached
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        ParentWatch watch = new ParentWatch(supervisor, parent, stop);
        Thread t = new Thread(watch::loop, "isofold-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Why this worker should stop, or null while its parent and supervisor live. */
    String check() {
        if (supervisor != null && !supervisor.alive()) {
            return "supervisor process " + supervisor.pid() + " has died";
        }
        if (parentPid > 1) {
            long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
            if (now != parentPid) {
                return "parent process " + parentPid + " has died";
            }
        }
        return null;
    }

    private void loop() {
        while (true) {
            String reason = check();
            if (reason != null) {
                stop.request(reason, EXIT_PARENT_GONE);
                return;
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void exit(String reason) {
        StopRequest.end(reason, EXIT_PARENT_GONE);
    }

    /** ProcessHandle counts a zombie as alive; a dead supervisor that nobody has reaped yet is one. */
    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')'); // the command name may itself hold spaces and parentheses
            char state = stat.charAt(close + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc: rely on ProcessHandle alone
        }
    }
}
