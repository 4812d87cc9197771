package io.isofold.supervisor.journal;

import io.isofold.supervisor.proc.ProcessTable;
import java.io.IOException;import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One supervisor per output directory. An OS file lock, so the kernel drops it when its holder dies
 * however it dies: a stale lock file never blocks a resume. The file's text names the holder for
 * the message the second supervisor prints.
 *
 * <p>A lock file can be deleted under a live run, and then a second supervisor would lock a new
 * one. So the lock is not the only check: the journal's last {@code run-start} names its supervisor
 * by pid, start time, boot and PID namespace, and while that process lives (and has not written its
 * {@code run-end}) no second supervisor takes the run ({@link #liveSupervisor}). That check works
 * on one machine and within one PID namespace; on a file system shared between hosts, the kernel
 * lock is what holds (NFSv4 locks are honoured across clients; NFSv3 needs a working lockd; a
 * mount with local locks only, such as NFS's {@code nolock}, keeps them on each host).
 *
 * <p>{@code status} and {@code report} only look ({@link #holder}): a supervisor they can check is
 * running or not; one on another host, or in another container they cannot see into, is taken to
 * run until its own run-end line says otherwise, and said to be where it is.
 */
public final class RunLock implements AutoCloseable {

    /** Thrown when another live supervisor holds the directory. */
    public static final class Held extends Exception {
        Held(String message) {
            super(message);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static RunLock acquire(Path dir) throws IOException, Held {
        Path file = dir.resolve(RunFiles.LOCK);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            channel.close();
            throw new Held("another supervisor is running on " + dir
                    + (holder.isEmpty() ? "" : " (" + holder + ")") + "; wait for it or stop it first");
        }
        // The holder's line, read back by a refused second supervisor and by liveHolder. Not forced to
        // disk (an fsync cost 10 to 90 ms of every start, on the way to the first journal line): it is
        // read only while its writer lives, from the page cache on this host, and a crash that loses it
        // also ends its writer. On NFS, another host may read it a few seconds late (the client writes it
        // back on its own); there the kernel lock, not this line, is what keeps a second supervisor out.
        String me = "pid " + ProcessHandle.current().pid() + " on " + hostName() + " since " + Instant.now();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new RunLock(channel, lock);
    }

    /** How this machine knows that a supervisor holds a run. */
    public enum Check {
        /** Its process is alive here: this host, this boot, this PID namespace, the recorded start time. */
        PROCESS,
        /** The kernel here shows the directory's lock held (a supervisor in another container, say). */
        LOCK,
        /**
         * Not at all: the journal names it on another host or in another PID namespace, and nothing
         * here can tell whether it still runs. Taken to run: only its own run-end line says it stopped.
         */
        NONE
    }

    /**
     * The supervisor holding a run, as far as this machine can tell.
     *
     * @param host where it runs, as it named itself; null when unknown
     */
    public record Holder(long pid, String host, Check check) {
        public boolean checked() {
            return check != Check.NONE;
        }
    }

    /**
     * Who holds the run in {@code dir}: a supervisor whose lock the kernel here shows held, else the
     * one the journal's last run-start names, when it has not ended the run and is alive here, or is
     * where this machine cannot look ({@link Check#NONE}: never declared dead from here). Empty when
     * no supervisor holds it: the last one ended the run, or died on this machine, or none ever started.
     * Read-only: taking the lock to test it would make a supervisor starting at that moment refuse.
     */
    public static java.util.Optional<Holder> holder(Path dir, RunHistory history) {
        Path lockFile = dir.resolve(RunFiles.LOCK);
        if (lockedHere(lockFile)) {
            // the lock file's line names its holder as the holder saw itself; the journal's start, else
            JournalEvent.RunStart start = history.lastRunStart();
            String[] words = lockText(lockFile).split(" ");
            if (words.length >= 4 && words[0].equals("pid") && words[2].equals("on")) {
                try {
                    return java.util.Optional.of(new Holder(Long.parseLong(words[1]), words[3], Check.LOCK));
                } catch (NumberFormatException garbled) {
                    // fall through to the journal's word
                }
            }
            return java.util.Optional.of(new Holder(start == null ? 0 : start.pid(), start == null ? null
                    : start.host(), Check.LOCK));
        }
        return fromJournal(history);
    }

    /**
     * The supervisor the journal names as the run's current holder, if this machine can see that it
     * is alive: on this host, in this boot, in this PID namespace, with the recorded start time (so a
     * reused pid is not taken for it), and not this process. Empty when the last supervisor ended its
     * run, is gone, or cannot be checked from here (see {@link #holder}).
     */
    public static java.util.Optional<Long> liveSupervisor(RunHistory history) {
        return fromJournal(history).filter(h -> h.check() == Check.PROCESS).map(Holder::pid);
    }

    private static java.util.Optional<Holder> fromJournal(RunHistory history) {
        JournalEvent.RunStart start = history.lastRunStart();
        if (start == null || history.lastRunEnd() != null) {
            return java.util.Optional.empty();
        }
        String bootHere = io.isofold.supervisor.proc.ProcessTable.bootId();
        boolean thisHost = hostName().equals(start.host());
        // the same kernel: the boot id says so across host names (a container has its own); a journal
        // from before boot ids were recorded has only the host name
        boolean sameKernel = start.bootId() != null ? start.bootId().equals(bootHere) : thisHost;
        if (!sameKernel) {
            // this host booted since (the supervisor died with it), or another machine's
            return thisHost ? java.util.Optional.empty()
                    : java.util.Optional.of(new Holder(start.pid(), start.host(), Check.NONE));
        }
        String nsHere = io.isofold.supervisor.proc.ProcessTable.pidNamespace();
        if (start.pidNamespace() != null && nsHere != null && !start.pidNamespace().equals(nsHere)) {
            // another container on this machine: its pid means another process here, or none
            return java.util.Optional.of(new Holder(start.pid(), start.host(), Check.NONE));
        }
        if (start.pid() == ProcessHandle.current().pid()) {
            return java.util.Optional.empty();
        }
        var entry = io.isofold.supervisor.proc.ProcessTable.read(start.pid()).filter(e -> e.alive());
        if (entry.isEmpty() || (start.startTicks() != null && entry.get().startTicks() != start.startTicks())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Holder(start.pid(), start.host(), Check.PROCESS));
    }

    /**
     * Whether the kernel here lists a lock on this file held by another process ({@code /proc/locks}):
     * a supervisor on this machine, in whatever container, while this process's PID namespace can see
     * it. A lock taken on another host is not listed (on NFS the server keeps it): then false.
     */
    static boolean lockedHere(Path lockFile) {
        long inode;
        long device;
        try {
            inode = (Long) Files.getAttribute(lockFile, "unix:ino");
            device = (Long) Files.getAttribute(lockFile, "unix:dev");
        } catch (IOException | RuntimeException e) {
            return false; // no lock file, or a platform without unix attributes
        }
        // glibc's encoding of a dev_t; /proc/locks prints major:minor in hex
        long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
        long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
        String file = String.format(java.util.Locale.ROOT, "%02x:%02x:%d", major, minor, inode);
        long me = ProcessHandle.current().pid();
        try (var lines = Files.lines(Path.of("/proc/locks"), StandardCharsets.ISO_8859_1)) {
            return lines.map(String::trim).map(l -> l.split("\\s+")).anyMatch(f -> f.length >= 8
                    && !f[1].equals("->") && f[5].equals(file) && !f[4].equals(Long.toString(me)));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String lockText(Path lockFile) {
        try {
            return Files.readString(lockFile, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * The supervisor holding {@code dir}, as its lock file names it, if it is alive on this host; null
     * otherwise. Read-only: taking the lock to test it would make a supervisor starting at that moment
     * refuse.
     */
    public static Long liveHolder(Path dir) {
        try {
            String[] words = Files.readString(dir.resolve(RunFiles.LOCK)).strip().split(" ");
            if (words.length < 4 || !words[0].equals("pid") || !words[3].equals(hostName())) {
                return null;
            }
            long pid = Long.parseLong(words[1]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(c -> c.contains("isofold")).orElse(true))
                    .map(p -> pid).orElse(null);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** The kernel's host name; InetAddress would ask DNS, which can hang for seconds where none answers. */
    public static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "unknown host" : h;
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
