package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class StudentTTest {

    /** Critical values as printed in standard t tables (six decimals). */
    @ParameterizedTest
    @CsvSource({
        "0.975, 1, 12.706205",
        "0.975, 4, 2.776445",
        "0.975, 9, 2.262157",
        "0.975, 29, 2.045230",
        "0.995, 10, 3.169273",
        "0.95, 5, 2.015048",
        "0.90, 20, 1.325341",
        "0.975, 1000, 1.962339"})
    void quantileMatchesPublishedTables(double p, double df, double expected) {
        assertThat(StudentT.quantile(p, df)).isCloseTo(expected, within(5e-7));
        assertThat(StudentT.quantile(1 - p, df)).isCloseTo(-expected, within(5e-7));
    }

    @Test
    void cdfMatchesPublishedValue() {
        // P(T <= 2) with 10 degrees of freedom, 0.963306 in tables
        assertThat(StudentT.cdf(2.0, 10)).isCloseTo(0.963306, within(5e-7));
        assertThat(StudentT.cdf(0, 7)).isEqualTo(0.5);
    }

    /** Degrees of freedom 1 to 4 have closed forms, independent of the incomplete beta route. */
    @ParameterizedTest
    @CsvSource({"-30", "-4.5", "-1", "-0.2", "0.3", "1", "2.5", "7", "40"})
    void cdfEqualsClosedFormsForSmallDegreesOfFreedom(double t) {
        double cauchy = 0.5 + Math.atan(t) / Math.PI;
        double two = 0.5 + t / (2 * Math.sqrt(2 + t * t));
        double three = 0.5 + (t / (Math.sqrt(3) * (1 + t * t / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI;
        double u = t * t / 4;
        double four = 0.5 + 0.375 * (t / Math.sqrt(1 + u)) * (1 - u / (3 * (1 + u)));
        assertThat(StudentT.cdf(t, 1)).isCloseTo(cauchy, within(1e-12));
        assertThat(StudentT.cdf(t, 2)).isCloseTo(two, within(1e-12));
        assertThat(StudentT.cdf(t, 3)).isCloseTo(three, within(1e-12));
        assertThat(StudentT.cdf(t, 4)).isCloseTo(four, within(1e-12));
    }

    @Test
    void twoSidedPIsBothTails() {
        assertThat(StudentT.twoSidedP(2.262157, 9)).isCloseTo(0.05, within(1e-7));
        assertThat(StudentT.twoSidedP(-2.262157, 9)).isCloseTo(0.05, within(1e-7));
        assertThat(StudentT.twoSidedP(0, 9)).isEqualTo(1.0);
        // far tail keeps relative precision instead of rounding to 0: P(|T_1| > 1e6) = 2 atan(1e-6)/pi
        assertThat(StudentT.twoSidedP(1e6, 1)).isCloseTo(2 * Math.atan(1e-6) / Math.PI, within(1e-15));
    }

    @Test
    void largeDegreesOfFreedomApproachTheNormal() {
        assertThat(StudentT.quantile(0.975, 1e7)).isCloseTo(1.959964, within(1e-5));
    }

    @Test
    void quantileInvertsCdf() {
        for (double df : new double[] {1, 2.5, 4, 30}) {
            for (double p : new double[] {0.001, 0.2, 0.5, 0.77, 0.999}) {
                assertThat(StudentT.cdf(StudentT.quantile(p, df), df)).isCloseTo(p, within(1e-10));
            }
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> StudentT.quantile(1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StudentT.cdf(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
