package io.isofold.supervisor.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AttemptWatchdogTest {
    private static final long S = 1_000_000_000L;

    @Test
    void timeoutIsMeasuredOnTheMonotonicClockItIsGiven() {
        var w = new AttemptWatchdog(new AttemptWatchdog.Limits(Duration.ofSeconds(30), null, null), 100 * S);
        assertThat(w.check(129 * S, OptionalLong.empty())).isEmpty();
        assertThat(w.check(131 * S, OptionalLong.empty())).get().extracting(AttemptWatchdog.Kill::limit)
                .isEqualTo(AttemptWatchdog.Limit.TIMEOUT);
    }

    /**
     * Item 13: the wall clock jumping (an NTP step, a VM resumed after hours) is not time the attempt ran.
     * The watchdog never reads the wall clock: whatever Instant.now() does, only the monotonic reading counts.
     */
    @Test
    void aWallClockStepCannotKill() {
        long start = System.nanoTime();
        var w = new AttemptWatchdog(new AttemptWatchdog.Limits(Duration.ofSeconds(5), Duration.ofSeconds(5), null), start);
        w.observeProgress(10, System.currentTimeMillis() + 3_600_000, start); // an mtime from "the future"
        assertThat(w.check(start + S, OptionalLong.empty())).isEmpty();
    }

    @Test
    void progressResetsTheStallClock() {
        var w = new AttemptWatchdog(new AttemptWatchdog.Limits(null, Duration.ofSeconds(10), null), 0);
        w.observeProgress(-1, -1, 5 * S); // no file yet: the clock runs from the start
        assertThat(w.check(9 * S, OptionalLong.empty())).isEmpty();
        w.observeProgress(100, 1, 9 * S);
        assertThat(w.check(18 * S, OptionalLong.empty())).isEmpty();
        w.observeProgress(100, 1, 18 * S); // unchanged
        assertThat(w.check(20 * S, OptionalLong.empty())).get().extracting(AttemptWatchdog.Kill::limit)
                .isEqualTo(AttemptWatchdog.Limit.STALL);
    }

    @Test
    void memoryOverTheLimitIsKilledWithBothFiguresInTheReason() {
        var w = new AttemptWatchdog(new AttemptWatchdog.Limits(null, null, 100L << 20), 0);
        assertThat(w.check(S, OptionalLong.of(99L << 20))).isEmpty();
        assertThat(w.check(S, OptionalLong.of(150L << 20))).get().satisfies(k -> {
            assertThat(k.limit()).isEqualTo(AttemptWatchdog.Limit.MEMORY);
            assertThat(k.reason()).contains("150m").contains("100m");
        });
    }
}
