package io.isofold.supervisor.report;

/**
 * Model A against model B on one metric over paired replicates (same fold of the same shuffle), by the
 * corrected resampled t-test of Nadeau and Bengio (2003, "Inference for the Generalization Error").
 *
 * <p>Why the correction: the training sets of k-fold replicates overlap, so their differences are positively
 * correlated and the plain paired t-test, with variance s^2/n, is far too ready to call a difference real.
 * Nadeau and Bengio replace 1/n by 1/n + n_test/n_train; in k-fold cross-validation n_test/n_train = 1/(k-1).
 *
 * @param meanDifference mean of A - B
 * @param t              null when it is undefined (fewer than two pairs, or all differences equal)
 * @param df             n - 1
 * @param pValue         two-sided, from Student's t with df degrees of freedom
 */
public record PairedComparison(String metric, int n, double meanDifference, Double ci95Low, Double ci95High,
        Double t, Integer df, Double pValue) {

    /** Significance level of the verdicts; the same as "the 95% interval excludes zero". */
    public static final double ALPHA = 0.05;

    /**
     * @param a     values of model A
     * @param b     values of model B, b[i] paired with a[i]
     * @param folds the k of k-fold cross-validation (at least 2)
     */
    public static PairedComparison corrected(String metric, double[] a, double[] b, int folds) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " values paired with " + b.length);
        }
        if (folds < 2) {
            throw new IllegalArgumentException("folds must be at least 2, got " + folds);
        }
        int n = a.length;
        if (n == 0) {
            return new PairedComparison(metric, 0, Double.NaN, null, null, null, null, null);
        }
        double[] d = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
            sum += d[i];
        }
        double mean = sum / n;
        if (n < 2) {
            return new PairedComparison(metric, n, mean, null, null, null, null, null);
        }
        double squares = 0;
        for (double x : d) {
            squares += (x - mean) * (x - mean);
        }
        double variance = squares / (n - 1);
        double testTrainRatio = 1.0 / (folds - 1);
        double standardError = Math.sqrt((1.0 / n + testTrainRatio) * variance);
        int df = n - 1;
        double half = StudentT.quantile975(df) * standardError;
        if (standardError == 0) {
            // every pair differs by the same amount: no noise to measure against; identical models are "no difference"
            return new PairedComparison(metric, n, mean, mean, mean, null, df, mean == 0 ? 1.0 : 0.0);
        }
        double t = mean / standardError;
        return new PairedComparison(metric, n, mean, mean - half, mean + half, t, df, StudentT.twoSidedP(t, df));
    }

    /** The same comparison the other way round: B against A (the difference and its interval negated). */
    public PairedComparison flipped() {
        return new PairedComparison(metric, n, negated(meanDifference), ci95High == null ? null : negated(ci95High),
                ci95Low == null ? null : negated(ci95Low), t == null ? null : negated(t), df, pValue);
    }

    /** -x, never -0.0 (which prints as "-0.000"). */
    private static double negated(double x) {
        return x == 0 ? 0.0 : -x;
    }

    /** True when the difference is larger than the resampling noise at the 5% level. */
    public boolean significant() {
        return pValue != null && pValue < ALPHA;
    }
}
