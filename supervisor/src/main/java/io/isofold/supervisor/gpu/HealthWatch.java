package io.isofold.supervisor.gpu;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads the GPUs' health now and then on a thread of its own (a reading may take seconds) and hands
 * each reading to whoever owns the run's state, which decides what to take out of the run.
 */
public final class HealthWatch implements AutoCloseable {
    /** Reads the GPUs' health; returns the sick ones with the reason. */
    public interface Probe {
        Map<String, String> sick();
    }

    private final Probe probe;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "isofold-gpu-health");
        t.setDaemon(true);
        return t;
    });

    public HealthWatch(Probe probe) {
        this.probe = probe;
    }

    /** One reading on the caller's thread: a GPU that is sick at the start gets no attempt at all. */
    public Map<String, String> readNow() {
        return probe.sick();
    }

    /** Readings every {@code every} from now on, each handed to {@code readings} on the watch's thread. */
    public void start(Duration every, Consumer<Map<String, String>> readings) {
        reader.scheduleWithFixedDelay(() -> readings.accept(probe.sick()), every.toMillis(), every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
