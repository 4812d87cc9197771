package io.isofold.supervisor.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 18 item 8: the live line named {@code r7}, not the variant or the fold. */
@Tag("unit")
class LiveProgressLineTest {
    private static ProgressSnapshot snapshot(List<ProgressSnapshot.Running> running) {
        return new ProgressSnapshot(3, 20, running, 4, 1, Duration.ofMinutes(12), Duration.ofMinutes(40));
    }

    @Test
    void namesEachSlotsVariantAndFold() {
        String line = LiveProgressLine.render(snapshot(List.of(
                new ProgressSnapshot.Running("gpu0/0", 7, "lr-0.01", 2),
                new ProgressSnapshot.Running("gpu1/0", 8, "lr-0.1", 3))), 120);
        assertThat(line).isEqualTo("3/20 done | running gpu0/0: lr-0.01 f2, gpu1/0: lr-0.1 f3 | 1 failed | 12m00s"
                + " | ETA 40m00s");
    }

    @Test
    void saysWhereAnAttemptContinuedFrom() {
        String line = LiveProgressLine.render(snapshot(List.of(
                new ProgressSnapshot.Running("gpu0/0", 7, "cnn", 2, "e4"),
                new ProgressSnapshot.Running("gpu1/0", 8, "cnn", 3, ProgressSnapshot.Running.CONTINUING))), 120);
        assertThat(line).contains("gpu0/0: cnn f2 from e4, gpu1/0: cnn f3 continuing |");
    }

    @Test
    void longNamesAreShortenedInTheMiddleAndTheLineStaysInItsWidth() {
        String long1 = "mlp-u512-256-128_lr-0.0003_dropout-0.25_batch-128_seed-1";
        String long2 = "mlp-u512-256-128_lr-0.0003_dropout-0.25_batch-128_seed-2";
        List<ProgressSnapshot.Running> running = List.of(new ProgressSnapshot.Running("gpu0/0", 7, long1, 2),
                new ProgressSnapshot.Running("gpu1/0", 8, long2, 3));
        String wide = LiveProgressLine.render(snapshot(running), 160);
        assertThat(wide).contains("gpu0/0: mlp-u512-256-128\u2026atch-128_seed-1 f2")
                .contains("_seed-2 f3").hasSizeLessThan(160);
        for (int width = 20; width <= 200; width++) {
            assertThat(LiveProgressLine.render(snapshot(running), width)).hasSizeLessThan(width);
        }
        // narrower: the slots and replicates alone, then only how many run
        assertThat(LiveProgressLine.render(snapshot(running), 80)).contains("| running gpu0/0:r7 gpu1/0:r8 |");
        assertThat(LiveProgressLine.render(snapshot(running), 60)).contains("| 2/4 running |");
    }

    @Test
    void shortenKeepsBothEnds() {
        assertThat(LiveProgressLine.shorten("abcdefghijklmnopqrstuvwxyz", 12)).isEqualTo("abcdef\u2026vwxyz")
                .hasSize(12);
        assertThat(LiveProgressLine.shorten("short", 12)).isEqualTo("short");
    }
}
