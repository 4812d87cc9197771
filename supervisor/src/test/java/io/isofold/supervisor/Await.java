package io.isofold.supervisor;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition instead of sleeping for the time it usually takes: on a loaded machine that
 * time is anything. The limit only ends a wait that will never be met; it is far longer than any
 * condition here takes.
 */
public final class Await {
    /** The default limit: a minute, for what takes a second on an idle machine. */
    public static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long POLL_MILLIS = 20;

    private Await() {}

    /** Waits until {@code condition} holds; fails the test, naming {@code what}, after {@link #LIMIT}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, LIMIT, condition);
    }

    public static void until(String what, Duration limit, BooleanSupplier condition) {
        value(what, limit, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /**
     * The first value {@code value} gives that is not null. A file that is not there yet
     * ({@link UncheckedIOException}), or that holds half a line because it is being written (an
     * {@link AssertionError} of a reader such as e2e's RunDir), counts as not yet.
     */
    public static <T> T value(String what, Duration limit, Supplier<T> value) {
        long deadline = System.nanoTime() + limit.toNanos();
        Throwable last = null;
        while (true) {
            try {
                T v = value.get();
                if (v != null) {
                    return v;
                }
            } catch (UncheckedIOException | AssertionError notYet) {
                last = notYet;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what, last);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what, e);
            }
        }
    }
}
