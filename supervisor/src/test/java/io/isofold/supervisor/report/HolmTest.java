package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class HolmTest {
    @Test
    void stepsDownFromTheSmallestAndNeverDecreases() {
        // sorted: 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> 0.06 (never below the one before)
        List<Double> adjusted = Holm.adjust(List.of(0.01, 0.04, 0.03, 0.005));
        assertThat(adjusted.get(0)).isCloseTo(0.03, within(1e-12));
        assertThat(adjusted.get(1)).isCloseTo(0.06, within(1e-12));
        assertThat(adjusted.get(2)).isCloseTo(0.06, within(1e-12));
        assertThat(adjusted.get(3)).isCloseTo(0.02, within(1e-12));
    }

    @Test
    void aMissingTestIsNotInTheFamilyAndStaysMissing() {
        List<Double> adjusted = Holm.adjust(Arrays.asList(null, 0.5, 0.2));
        assertThat(adjusted.get(0)).isNull();
        assertThat(adjusted.get(2)).isCloseTo(0.4, within(1e-12)); // two tests, not three
        assertThat(adjusted.get(1)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void neverAboveOneAndAloneUnchanged() {
        assertThat(Holm.adjust(List.of(0.7, 0.9))).containsExactly(1.0, 1.0);
        assertThat(Holm.adjust(List.of(0.03))).containsExactly(0.03);
        assertThat(Holm.adjust(List.of())).isEmpty();
    }
}
