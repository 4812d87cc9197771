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

/**
 * Appends progress.jsonl lines. The supervisor's stall watchdog reads this file's changes as the
 * worker's heartbeat, so every line is flushed as it is written, and within a long epoch a line is
 * written at least every {@code heartbeatMillis}.
 */
public final class ProgressWriter implements AutoCloseable {
    private final OutputStream out;
    private final long heartbeatMillis;
    private long lastWrite = System.nanoTime();

    public ProgressWriter(Path file, long heartbeatMillis) {
        this.heartbeatMillis = heartbeatMillis;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open progress file " + file, e);
        }
    }

    public void write(ProgressEvent event) {
        try {
            out.write((Json.MAPPER.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            lastWrite = System.nanoTime();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write progress", e);
        }
    }

    /** True when a heartbeat line is due. */
    public boolean heartbeatDue() {
        return (System.nanoTime() - lastWrite) / 1_000_000 >= heartbeatMillis;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
