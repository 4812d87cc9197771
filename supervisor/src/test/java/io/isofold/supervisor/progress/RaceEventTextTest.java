package io.isofold.supervisor.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.race.Elimination;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RaceEventTextTest {
    @Test
    void anEliminationSaysWhoWhenAgainstWhomAndWithWhatP() {
        Elimination e = new Elimination("mlp-a", 3, 3, "val_accuracy", "higher", 5.2, 0.0175, "mlp-b", 0.0312);
        assertThat(RunEventText.of(new RunEvent.Eliminated(e.event("2025-03-01T20:00:00Z", 0.05), 2, 4))).isEqualTo("race: mlp-a is eliminated after"
                + " 3 folds: val_accuracy worse than mlp-b's by 0.03120 over 3 paired folds (t = 5.20, p = 0.0175 < 0.05);"
                + " 2 running attempts ended; 4 variants racing");
        Elimination constant = new Elimination("c", 4, 4, "rmse", "lower", null, 0.0, "d", 0.1);
        assertThat(RunEventText.of(new RunEvent.Eliminated(constant.event("2025-03-01T20:00:00Z", 0.05), 0, 1)))
                .contains("(t = inf, the same gap on every fold, p = 0.00 < 0.05); 1 variant racing: the race is over,"
                        + " it runs every remaining replicate");
    }

    @Test
    void theLiveLineCountsTheEliminated() {
        ProgressSnapshot raced = new ProgressSnapshot(40, 81, List.of(), 1, 0, Duration.ofMinutes(3), null, 13);
        assertThat(LiveProgressLine.render(raced, 200)).isEqualTo("40/81 done | running - | 13 eliminated | 0 failed"
                + " | 3m00s | ETA ?");
        ProgressSnapshot plain = new ProgressSnapshot(40, 81, List.of(), 1, 0, Duration.ofMinutes(3), null);
        assertThat(LiveProgressLine.render(plain, 200)).doesNotContain("eliminated");
    }
}
