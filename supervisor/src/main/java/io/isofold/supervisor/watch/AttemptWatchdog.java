package io.isofold.supervisor.watch;

import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.spec.Sizes;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decides when one attempt must be killed: past its wall-clock limit, silent for longer than the
 * stall limit, or over its memory limit. Pure: it is told the time and what was observed, and it
 * answers; the run loop does the looking and the killing.
 *
 * <p>Time is a monotonic clock ({@link System#nanoTime}), never the wall clock: a clock step or a
 * VM that resumes after hours must not kill every attempt at once.
 */
public final class AttemptWatchdog {

    /** The limits of every attempt of a run; a null field means no such limit. */
    public record Limits(Duration timeout, Duration stall, Long maxMemoryBytes) {
        public static final Limits NONE = new Limits(null, null, null);

        public boolean watchesProgress() {
            return stall != null;
        }

        public boolean watchesMemory() {
            return maxMemoryBytes != null;
        }
    }

    /** Which limit an attempt went past. */
    public enum Limit { TIMEOUT, STALL, MEMORY }

    /** Why to kill. */
    public record Kill(Limit limit, String reason) {}

    private final Limits limits;
    private final long startNanos;
    private long lastProgressNanos;
    private long progressSize = -1;
    private long progressModified = -1;

    public AttemptWatchdog(Limits limits, long startNanos) {
        this.limits = limits;
        this.startNanos = startNanos;
        this.lastProgressNanos = startNanos;
    }

    /**
     * What the progress file looks like now ({@code size} -1 when it does not exist yet). Any change
     * of size or modification time is a sign of life; the stall clock runs from the start until the first.
     */
    public void observeProgress(long size, long modifiedMillis, long nowNanos) {
        if (size < 0) {
            return;
        }
        if (size != progressSize || modifiedMillis != progressModified) {
            progressSize = size;
            progressModified = modifiedMillis;
            lastProgressNanos = nowNanos;
        }
    }

    /** @param memoryBytes what the attempt uses now, or empty when not measured */
    public Optional<Kill> check(long nowNanos, OptionalLong memoryBytes) {
        if (limits.timeout() != null && nowNanos - startNanos > limits.timeout().toNanos()) {
            return Optional.of(new Kill(Limit.TIMEOUT,
                    "still running after " + Durations.format(limits.timeout()) + " (--timeout)"));
        }
        if (limits.stall() != null && nowNanos - lastProgressNanos > limits.stall().toNanos()) {
            return Optional.of(new Kill(Limit.STALL,
                    "no progress for " + Durations.format(limits.stall()) + " (--stall-timeout)"));
        }
        if (limits.maxMemoryBytes() != null && memoryBytes.isPresent()
                && memoryBytes.getAsLong() > limits.maxMemoryBytes()) {
            return Optional.of(new Kill(Limit.MEMORY, "using " + Sizes.format(memoryBytes.getAsLong()) + ", over "
                    + Sizes.format(limits.maxMemoryBytes()) + " (--max-memory)"));
        }
        return Optional.empty();
    }

    public Duration elapsed(long nowNanos) {
        return Duration.ofNanos(nowNanos - startNanos);
    }
}
