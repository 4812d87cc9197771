package io.isofold.supervisor.watch;

import io.isofold.supervisor.exec.ExternalCommand;
import io.isofold.supervisor.spec.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps worker logs near {@code --max-log-size}: a log that grows past the cap loses its beginning, and
 * keeps at least its last {@code cap} bytes. The worker's processes append to the file themselves
 * (O_APPEND, no pipe between them and it, which a hung reader or a grandchild holding it could block),
 * so the head is dropped in place, with util-linux {@code fallocate}:
 * <ul>
 * <li>{@code --collapse-range} removes the first bytes and shifts the rest down (ext4, xfs); the kernel
 *     orders it with the workers' appends, which go on at the new end;</li>
 * <li>where the filesystem refuses that (tmpfs, btrfs, NFS), {@code --punch-hole} frees the first bytes'
 *     blocks: the file keeps its length, with a hole where they were, and is compacted (its tail copied
 *     to its start) once nothing of the attempt runs any more;</li>
 * <li>where neither works, logs are left to grow, and the run says so once.</li>
 * </ul>
 * A log is trimmed when it passes the cap by a quarter (at least {@value #ALIGN} bytes), so a worker
 * that writes steadily costs one {@code fallocate} per quarter of the cap it writes, and back to the cap,
 * in whole MiB (what every filesystem's block size divides). Sizes are looked at from one thread of
 * its own, twice a second, and more often while a log grows fast.
 *
 * <p>Thread-safe: everything runs on its thread; the methods only hand it work.
 */
public final class LogCap implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogCap.class);
    static final long ALIGN = 1 << 20;
    private static final long IDLE_CHECK_MILLIS = 500;
    private static final long FASTEST_CHECK_MILLIS = 10;
    private static final Duration FALLOCATE_TIMEOUT = Duration.ofSeconds(30);

    private enum Mode { COLLAPSE, PUNCH, OFF }

    /** One log: how large it was at the last look, and how far its head is a hole (punch mode). */
    private static final class Log {
        final Path file;
        long lastSize;
        long holeEnd;
        boolean said;

        Log(Path file) {
            this.file = file;
        }
    }

    private final long cap;
    private final long slack;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "isofold-log-cap");
        t.setDaemon(true);
        return t;
    });
    private final Map<Path, Log> logs = new HashMap<>(); // its thread only
    private Mode mode = Mode.COLLAPSE; // its thread only
    private long lastCheckNanos = System.nanoTime();

    /** @param capBytes the least a log keeps of its end; at least {@value #ALIGN} */
    public LogCap(long capBytes) {
        if (capBytes < ALIGN) {
            throw new IllegalArgumentException("a log cap below 1m");
        }
        this.cap = capBytes;
        this.slack = Math.max(capBytes / 4, ALIGN);
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        thread.schedule(this::check, IDLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Watches these logs until {@link #release}: an attempt's stdout and stderr, say. */
    public void watch(List<Path> files) {
        run(() -> files.forEach(f -> logs.putIfAbsent(f, new Log(f))));
    }

    /**
     * Stops watching these logs (if it did), once nothing writes to them any more, and cuts each to the
     * cap (compacted, where the filesystem only frees blocks). Completes when that is done; never
     * exceptionally.
     */
    public CompletableFuture<Void> release(List<Path> files) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    for (Path f : files) {
                        Log l = logs.remove(f);
                        finish(l != null ? l : new Log(f));
                    }
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException closed) {
            done.complete(null);
        }
        return done;
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // the run is over
        }
    }

    /** Looks at every log; trims those over the cap; comes back sooner while one grows fast. */
    private void check() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastCheckNanos) / 1e9);
        lastCheckNanos = now;
        long next = IDLE_CHECK_MILLIS;
        try {
            for (Log l : new ArrayList<>(logs.values())) {
                long size;
                try {
                    size = Files.size(l.file);
                } catch (NoSuchFileException gone) {
                    logs.remove(l.file);
                    continue;
                } catch (IOException e) {
                    continue;
                }
                long grew = size - l.lastSize;
                l.lastSize = size;
                if (size - l.holeEnd > cap + slack) {
                    trimWhileWritten(l, size);
                }
                if (grew > 0) {
                    // come back before it can pass the cap by its slack twice over
                    double untilFull = (cap + 2 * slack - (l.lastSize - l.holeEnd)) / (grew / seconds);
                    next = Math.min(next, Math.max(FASTEST_CHECK_MILLIS, (long) (untilFull * 500)));
                }
            }
        } catch (RuntimeException e) {
            log.warn("checking the workers' log sizes: {}", e.toString()); // never let the thread die
        } finally {
            try {
                thread.schedule(this::check, next, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // the run is over
            }
        }
    }

    /** Drops the head of a log a worker may still append to. */
    private void trimWhileWritten(Log l, long size) {
        long drop = (size - l.holeEnd - cap) / ALIGN * ALIGN;
        if (drop <= 0) {
            return;
        }
        if (mode == Mode.COLLAPSE && fallocate(l.file, "--collapse-range", 0, drop)) {
            l.lastSize = size - drop;
            said(l);
            return;
        }
        if (mode == Mode.COLLAPSE) {
            mode = Mode.PUNCH;
            log.info("the filesystem of {} cannot drop the head of a file in place; worker logs over "
                    + "--max-log-size get holes instead, and are compacted when their attempt is over", l.file);
        }
        if (mode == Mode.PUNCH && fallocate(l.file, "--punch-hole", 0, l.holeEnd + drop)) {
            l.holeEnd += drop;
            said(l);
            return;
        }
        if (mode != Mode.OFF) {
            mode = Mode.OFF;
            log.warn("cannot cap worker logs on the filesystem of {} (fallocate refuses both to collapse a range "
                    + "and to punch a hole): they are left to grow", l.file);
        }
    }

    /** A log nothing appends to any more: cut to its last {@code cap} bytes, as a file without holes. */
    private void finish(Log l) {
        long size;
        try {
            size = Files.size(l.file);
        } catch (IOException gone) {
            return;
        }
        if (mode == Mode.COLLAPSE && l.holeEnd == 0) {
            long drop = (size - cap) / ALIGN * ALIGN;
            if (drop <= 0) {
                return;
            }
            if (fallocate(l.file, "--collapse-range", 0, drop)) {
                said(l);
                return;
            }
            mode = Mode.PUNCH; // and this one is copied down instead
        }
        long from = Math.max(size - cap, l.holeEnd);
        if (from > 0 && mode != Mode.OFF) {
            try {
                keepFrom(l.file, from);
                said(l);
            } catch (IOException e) {
                log.warn("cannot cut {} to --max-log-size: {}", l.file, e.toString());
            }
        }
    }

    /**
     * Moves the bytes from {@code from} on to the start of the file and cuts it there: in place, so a hard
     * link (a standby worker's log, linked into its attempt directory) sees the same file.
     */
    static void keepFrom(Path file, long from) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long read = from;
            long written = 0;
            while (true) {
                buf.clear();
                int n = ch.read(buf, read);
                if (n <= 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    written += ch.write(buf, written);
                }
                read += n;
            }
            ch.truncate(written);
        }
    }

    private boolean fallocate(Path file, String how, long offset, long length) {
        try {
            ExternalCommand.Result r = ExternalCommand.run(List.of("fallocate", how, "--offset", Long.toString(offset),
                    "--length", Long.toString(length), file.toString()), FALLOCATE_TIMEOUT);
            if (!r.ok()) {
                log.debug("fallocate {} {}: {}", how, file, r.firstLine());
            }
            return r.ok();
        } catch (ExternalCommand.Failed e) {
            log.debug("fallocate {} {}: {}", how, file, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void said(Log l) {
        if (!l.said) {
            l.said = true;
            log.info("{} passed --max-log-size {}: its beginning is dropped, its last {} kept", l.file,
                    Sizes.format(cap), Sizes.format(cap));
        }
    }

    @Override
    public void close() {
        thread.shutdown(); // releases handed to it still run: their callers wait for them
    }
}
