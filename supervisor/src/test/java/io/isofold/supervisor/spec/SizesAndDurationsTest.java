package io.isofold.supervisor.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Locale;
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

    /** Issue 21 item 6: under a German locale 1.3g was written "1331,2m", and read back by nobody. */
    @Test
    void sizesAndDurationsPrintTheSameInEveryLocaleAndReadADecimalComma() {
        Locale before = Locale.getDefault();
        try {
            for (String tag : java.util.List.of("de-DE", "tr-TR", "ar-SA", "fa-IR")) {
                Locale.setDefault(Locale.forLanguageTag(tag));
                assertThat(Sizes.format(Sizes.parse("1.3g"))).as(tag).isEqualTo("1331.2m");
                assertThat(Sizes.parse("512MIB")).as(tag).isEqualTo(512L << 20);
                assertThat(Durations.human(Duration.ofSeconds(3725))).as(tag).isEqualTo("1h02m");
                assertThat(Durations.parse("90S")).as(tag).isEqualTo(Duration.ofSeconds(90));
            }
        } finally {
            Locale.setDefault(before);
        }
        assertThat(Sizes.parse("1331,2m")).isEqualTo(Sizes.parse("1331.2m"));
        assertThat(Sizes.parse("1,5g")).isEqualTo(3L << 29);
        assertThat(Durations.parse("1,5h")).isEqualTo(Duration.ofMinutes(90));
    }
}
