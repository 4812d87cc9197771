package io.isofold.supervisor.journal;

import io.isofold.shared.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal: every event one JSON line.
 *
 * <p>{@link #append} writes the line to the file before it returns, so a supervisor killed at any
 * moment (SIGKILL, the OOM killer) loses nothing and leaves at most a torn last line. Forcing the
 * file to disk, which guards against a power loss or a kernel crash, is done by a syncer thread that
 * calls fsync again as long as lines keep coming (group commit): an fsync takes 30 to 90 ms on this
 * kind of virtual disk, and the run loop must not wait for it before it launches the next attempt.
 * {@link #sync} and {@link #close} wait for the disk.
 *
 * <p>One writer: the run loop's thread.
 */
public final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final FileChannel channel;
    private final Object lock = new Object();
    private final Thread syncer;
    private long written; // lines written, guarded by lock
    private long synced; // lines known on disk, guarded by lock
    private boolean closed; // guarded by lock
    private IOException syncFailure; // guarded by lock
    private boolean midLine; // a write failed part-way: the file may end inside a line; guarded by lock

    private Journal(FileChannel channel) {
        this.channel = channel;
        this.syncer = new Thread(this::syncLoop, "isofold-journal-sync");
        syncer.setDaemon(true);
        syncer.start();
    }

    public static Journal open(Path file) throws IOException {
        boolean torn = false;
        if (Files.exists(file) && Files.size(file) > 0) {
            try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                reader.read(last, reader.size() - 1);
                torn = last.get(0) != '\n';
            }
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (torn) {
            // a line cut short by a crash: end it, so the next event starts on a line of its own
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
        }
        return new Journal(channel);
    }

    /**
     * Writes one event to the file; a failed fsync of earlier lines is reported here too. After a
     * write that failed part-way (a full disk), the next event starts on a new line, so a torn line
     * is never glued to the event after it.
     */
    public void append(JournalEvent event) throws IOException {
        byte[] line = (Json.MAPPER.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            if (syncFailure != null) {
                throw syncFailure;
            }
            ByteBuffer buffer = ByteBuffer.wrap(midLine ? prefixed(line) : line);
            midLine = true;
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            midLine = false;
            written++;
            lock.notifyAll();
        }
    }

    private static byte[] prefixed(byte[] line) {
        byte[] withNewline = new byte[line.length + 1];
        withNewline[0] = '\n';
        System.arraycopy(line, 0, withNewline, 1, line.length);
        return withNewline;
    }

    /** Waits until every line appended so far is on disk. */
    public void sync() throws IOException {
        synchronized (lock) {
            long target = written;
            while (synced < target && syncFailure == null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (syncFailure != null) {
                throw syncFailure;
            }
        }
    }

    private void syncLoop() {
        while (true) {
            long target;
            synchronized (lock) {
                while (synced == written && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (synced == written && closed) {
                    return;
                }
                target = written;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                log.error("cannot force the journal to disk: {}", e.getMessage());
                synchronized (lock) {
                    syncFailure = e;
                    lock.notifyAll();
                }
                return;
            }
            synchronized (lock) {
                synced = target;
                lock.notifyAll();
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            sync();
        } finally {
            synchronized (lock) {
                closed = true;
                lock.notifyAll();
            }
            try {
                syncer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            channel.close();
        }
    }
}
