package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PairedComparisonTest {

    /**
     * Worked by hand, 5-fold cross-validation, 5 paired replicates.
     *
     * <pre>
     * a - b            = 0.02, 0.03, 0.01, 0.04, 0.025
     * mean             = 0.125 / 5 = 0.025
     * deviations       = -0.005, 0.005, -0.015, 0.015, 0
     * squares          = 25e-6 + 25e-6 + 225e-6 + 225e-6 + 0 = 500e-6
     * sample variance  = 500e-6 / 4 = 125e-6
     * n_test/n_train   = 1/(5-1) = 0.25
     * corrected var    = (1/5 + 0.25) * 125e-6 = 0.45 * 125e-6 = 56.25e-6,  se = 0.0075
     * t                = 0.025 / 0.0075 = 3.3333,  df = 4
     * (the plain paired t would be 0.025 / sqrt(125e-6 / 5) = 5)
     * p                = 2 (1 - F4(10/3)) with F4(t) = 1/2 + 3/8 (t/sqrt(1+u)) (1 - u/(3(1+u))), u = t^2/4:
     *                    u = 25/9, 1+u = 34/9, t/sqrt(1+u) = 1.714986, 1 - u/(3(1+u)) = 1 - 25/102 = 0.754902
     *                    F4 = 0.5 + 0.375 * 1.714986 * 0.754902 = 0.985492,  p = 0.029015
     * 95% interval     = 0.025 +- t(0.975, 4) * se = 0.025 +- 2.776445 * 0.0075 = [0.004177, 0.045823]
     * </pre>
     */
    @Test
    void correctedResampledTTestByHand() {
        double[] a = {0.92, 0.93, 0.91, 0.94, 0.925};
        double[] b = {0.90, 0.90, 0.90, 0.90, 0.900};

        PairedComparison c = PairedComparison.corrected("val_accuracy", a, b, 5);

        assertThat(c.n()).isEqualTo(5);
        assertThat(c.df()).isEqualTo(4);
        assertThat(c.meanDifference()).isCloseTo(0.025, within(1e-12));
        assertThat(c.t()).isCloseTo(10.0 / 3, within(1e-9));
        assertThat(c.pValue()).isCloseTo(0.029015, within(1e-6));
        assertThat(c.ci95Low()).isCloseTo(0.025 - 2.776445 * 0.0075, within(1e-8));
        assertThat(c.ci95High()).isCloseTo(0.025 + 2.776445 * 0.0075, within(1e-8));
        assertThat(c.significant()).isTrue();
    }

    @Test
    void moreFoldsMeanLessCorrection() {
        // same differences, 10 folds: ratio 1/9, corrected var = (0.2 + 1/9) * 125e-6
        double[] a = {0.92, 0.93, 0.91, 0.94, 0.925};
        double[] b = {0.90, 0.90, 0.90, 0.90, 0.900};
        PairedComparison c = PairedComparison.corrected("val_accuracy", a, b, 10);
        assertThat(c.t()).isCloseTo(0.025 / Math.sqrt((0.2 + 1.0 / 9) * 125e-6), within(1e-9));
    }

    @Test
    void differenceOfSignsIsAMinusB() {
        PairedComparison c = PairedComparison.corrected("val_loss", new double[] {0.3, 0.32, 0.31},
                new double[] {0.2, 0.25, 0.21}, 3);
        assertThat(c.meanDifference()).isCloseTo((0.1 + 0.07 + 0.1) / 3, within(1e-12));
        assertThat(c.t()).isPositive();
    }

    @Test
    void fewerThanTwoPairsHaveNoInterval() {
        PairedComparison c = PairedComparison.corrected("m", new double[] {1}, new double[] {0.5}, 5);
        assertThat(c.n()).isEqualTo(1);
        assertThat(c.meanDifference()).isEqualTo(0.5);
        assertThat(c.ci95Low()).isNull();
        assertThat(c.t()).isNull();
        assertThat(c.pValue()).isNull();
        assertThat(c.significant()).isFalse();
    }

    @Test
    void identicalModelsAreNotDifferent() {
        double[] same = {0.9, 0.8, 0.85};
        PairedComparison c = PairedComparison.corrected("m", same, same.clone(), 5);
        assertThat(c.meanDifference()).isZero();
        assertThat(c.pValue()).isEqualTo(1.0);
        assertThat(c.significant()).isFalse();
    }
}
