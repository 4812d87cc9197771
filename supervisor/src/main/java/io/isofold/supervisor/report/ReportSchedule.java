package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.JournalEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a running run's reports (results.csv, summary.json, report.html) are written: on a thread of
 * their own, from a snapshot taken at most once a second and only while no earlier write is busy, so a
 * slow report page never delays a launch and a run of 20,000 attempts copies its list a few thousand
 * times, not 20,000. A failed write is logged and never stops the run: reports can be rebuilt from the
 * journal at any time ({@code report DIR}).
 *
 * <p>{@link #request} and {@link #tick} are for one thread (the run loop's); the writes run on another.
 */
public final class ReportSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReportSchedule.class);
    private static final long EVERY_NANOS = 1_000_000_000L;

    /** Where reports go. Called off the run loop's thread. */
    public interface Sink {
        void write(List<AttemptRecord> attempts, Instant runStart, Instant runEnd, Map<String, String> quarantined)
                throws IOException;

        /** The race dropped a variant (its journal line is written): reports from now on show it. Any thread. */
        default void eliminated(JournalEvent.Eliminated line) {}
    }

    /** What one write is made of, taken on the run loop's thread. */
    public record Snapshot(List<AttemptRecord> attempts, Instant runStart, Instant runEnd,
            Map<String, String> quarantined) {}

    private final Sink sink;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "isofold-reports");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private boolean wanted;
    private long lastNanos;

    public ReportSchedule(Sink sink) {
        this.sink = sink;
    }

    /** The race dropped a variant: passed to the sink at once, the reports are written at the next tick. */
    public void eliminated(JournalEvent.Eliminated line) {
        sink.eliminated(line);
        wanted = true;
    }

    /** Something a report shows has changed. */
    public void request() {
        wanted = true;
    }

    /** Writes the reports now if a change is waiting, the last write is a second old and no write is busy. */
    public void tick(long nowNanos, Supplier<Snapshot> snapshot) {
        if (!wanted || nowNanos - lastNanos < EVERY_NANOS || !busy.compareAndSet(false, true)) {
            return;
        }
        wanted = false;
        lastNanos = nowNanos;
        Snapshot s = snapshot.get();
        writer.execute(() -> {
            try {
                write(s);
            } finally {
                busy.set(false);
            }
        });
    }

    /** The run's last reports: waits for a write in progress (a minute at most), then writes on this thread. */
    public void writeFinal(Snapshot s) {
        writer.shutdown();
        try {
            writer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        write(s);
    }

    private void write(Snapshot s) {
        try {
            sink.write(s.attempts(), s.runStart(), s.runEnd(), s.quarantined());
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            log.warn("cannot write reports: {}", e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
