package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AxisTest {
    @Test
    void ticksFallOnRoundNumbers() {
        assertThat(new Axis(0.871, 0.931, 0, 100).ticks(8)).containsExactly(88 * 0.01, 89 * 0.01, 90 * 0.01, 91 * 0.01, 92 * 0.01, 93 * 0.01);
        assertThat(new Axis(0, 27 * 60, 0, 100).timeTicks(12)).containsExactly(0.0, 300.0, 600.0, 900.0, 1200.0,
                1500.0);
    }

    @Test
    void longRunsGetDayTicksNotHundreds() {
        Axis year = new Axis(0, 365 * 86400.0, 0, 100);
        assertThat(year.timeTicks(12)).hasSizeBetween(10, 14);
    }

    @Test
    void flatRangeStillMaps() {
        Axis flat = new Axis(0.5, 0.5, 0, 100);
        assertThat(flat.pixel(0.5)).isEqualTo(50.0);
    }

    @Test
    void clockAndLabels() {
        assertThat(Axis.clock(45)).isEqualTo("0:45");
        assertThat(Axis.clock(3723)).isEqualTo("1:02:03");
        assertThat(Axis.label(0.9000000001, 0.01)).isEqualTo("0.90");
        assertThat(Axis.label(25, 5)).isEqualTo("25");
    }
}
