package io.isofold.supervisor.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SizesAndDurationsTest {

    /** Item 12: "--max-memory 8" meant 8 bytes and killed every attempt. */
    @Test
    void aSizeNeedsAUnit() {
        assertThatThrownBy(() -> Sizes.parse("8")).hasMessageContaining("unit");
        assertThat(Sizes.parse("512m")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("1.5G")).isEqualTo(3L << 29);
    }

    /** Item 12: "--kill-grace 200000d" overflowed and nothing was ever killed. */
    @Test
    void durationsHaveASaneUpperBound() {
        assertThatThrownBy(() -> Durations.parse("200000d")).hasMessageContaining("limit");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999h")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    }
}
