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
 * by pid, start time and boot, and while that process lives (and has not written its
 * {@code run-end}) no second supervisor takes the run ({@link #liveSupervisor}). That check works
 * on one host; on NFS shared between hosts, the kernel lock is what holds (NFSv4 locks are
 * honoured across clients; NFSv3 needs a working lockd).
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

    /**
     * The supervisor the journal names as the run's current holder, if it is alive: on this host,
     * in this boot, with the recorded start time (so a reused pid is not taken for it), and not
     * this process. Empty when the last supervisor ended its run or is gone.
     */
    public static java.util.Optional<Long> liveSupervisor(RunHistory history) {
        JournalEvent.RunStart start = history.lastRunStart();
        if (start == null || history.lastRunEnd() != null || start.pid() == ProcessHandle.current().pid()
                || !hostName().equals(start.host())) {
            return java.util.Optional.empty();
        }
        if (start.bootId() != null && !start.bootId().equals(io.isofold.supervisor.proc.ProcessTable.bootId())) {
            return java.util.Optional.empty();
        }
        var entry = io.isofold.supervisor.proc.ProcessTable.read(start.pid()).filter(e -> e.alive());
        if (entry.isEmpty() || (start.startTicks() != null && entry.get().startTicks() != start.startTicks())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(start.pid());
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
