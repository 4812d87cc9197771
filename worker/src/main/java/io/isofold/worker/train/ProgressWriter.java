package io.isofold.worker.train;

import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.lang.management.ManagementFactory;

/**
 * Appends progress.jsonl lines. The supervisor's stall watchdog reads this file's changes as the
 * worker's heartbeat, so every line is flushed as it is written, and a line is written at least every
 * {@code heartbeatMillis}: the training loop writes batch lines itself, and a daemon thread writes a
 * line naming the current phase whenever nothing else was written for that long (reading a large
 * dataset, a first GPU step that compiles kernels, a long evaluation all block the loop).
 */
public final class ProgressWriter implements AutoCloseable {
    /** How often the heartbeat thread looks; small against any heartbeat interval. */
    private static final long CHECK_MILLIS = 200;

    private final Path file;
    private final OutputStream out;
    private final long heartbeatMillis;
    /**
     * Phase lines count seconds from the JVM's start, so the first line shows what the start itself cost;
     * a standby worker's count from when it got its task, since its start was not the attempt's.
     */
    private final long originMillis;
    private final Thread heartbeat;
    private volatile long lastWrite = System.nanoTime();
    private volatile String phase;
    private volatile int epoch;
    private boolean closed;

    public ProgressWriter(Path file, long heartbeatMillis) {
        // not ProcessHandle's startInstant: Linux gives it from the boot time in whole seconds
        this(file, heartbeatMillis, ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    /** @param originMillis the wall-clock time phase lines count their seconds from */
    public ProgressWriter(Path file, long heartbeatMillis, long originMillis) {
        this.file = file;
        this.heartbeatMillis = heartbeatMillis;
        this.originMillis = originMillis;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open progress file " + file, e);
        }
        heartbeat = new Thread(this::beat, "isofold-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    public Path file() {
        return file;
    }

    public void write(ProgressEvent event) {
        String line;
        try {
            line = Json.MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write progress", e);
        }
        writeLine(line);
    }

    /**
     * The {@value ProgressEvent#PHASE_CONTINUED} line: the training goes on from a checkpoint holding {@code epoch}
     * whole epochs and {@code batch} batches of the next, worth {@code restoredSeconds} of training.
     */
    public void continued(int epoch, int batch, double restoredSeconds) {
        write(ProgressEvent.continued(epoch, batch, Math.round(uptimeSeconds() * 1000) / 1000.0,
                Math.round(restoredSeconds * 1000) / 1000.0));
    }

    /** Enters a phase ({@code ProgressEvent.PHASE_*}) and says so at once. */
    public void phase(String name) {
        phase = name;
        writeLine(phaseLine(name, epoch, uptimeSeconds()));
    }

    /**
     * A phase line as {@link Json#MAPPER} would write {@link ProgressEvent#phase}, formatted by hand: the first
     * line is written before the task is parsed, and Jackson's own start costs 0.3 s or more on a busy machine.
     * Phase names are plain ASCII constants, so there is nothing to escape.
     */
    static String phaseLine(String phase, int epoch, double seconds) {
        return "{\"epoch\":" + epoch + ",\"seconds\":" + Math.round(seconds * 1000) / 1000.0
                + ",\"phase\":\"" + phase + "\"}";
    }

    private synchronized void writeLine(String line) {
        if (closed) {
            return;
        }
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            lastWrite = System.nanoTime();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write progress", e);
        }
    }

    /** The epoch under way, for the heartbeat's phase lines. */
    public void epoch(int epoch) {
        this.epoch = epoch;
    }

    /** True when a heartbeat line is due. */
    public boolean heartbeatDue() {
        return (System.nanoTime() - lastWrite) / 1_000_000 >= heartbeatMillis;
    }

    private void beat() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(CHECK_MILLIS);
                String p = phase;
                if (p != null && heartbeatDue()) {
                    writeLine(phaseLine(p, epoch, uptimeSeconds()));
                }
            }
        } catch (InterruptedException stop) {
            // closed
        } catch (UncheckedIOException e) {
            // the file became unwritable (disk full); the watchdog will see the silence, the trainer the error
            System.err.println("isofold-worker: heartbeat stopped: " + e.getCause());
        }
    }

    private double uptimeSeconds() {
        return (System.currentTimeMillis() - originMillis) / 1000.0;
    }

    @Override
    public void close() {
        heartbeat.interrupt();
        synchronized (this) {
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
