package io.isofold.supervisor.report;

import java.util.Collection;

/**
 * Descriptive statistics of one metric over replicates, with the Student t 95% interval of its mean.
 * {@code std} and the interval are null below two values: one replicate says nothing about spread.
 *
 * @param std sample standard deviation (divisor n - 1)
 */
public record MetricStats(int n, double mean, Double std, double min, double max, Double ci95Low, Double ci95High) {

    /** Statistics of the finite values among {@code values}; null when there is none. */
    public static MetricStats of(Collection<Double> values) {
        int n = 0;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Double v : values) {
            if (v != null && Double.isFinite(v)) {
                n++;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (n == 0) {
            return null;
        }
        double mean = sum / n;
        if (n < 2) {
            return new MetricStats(n, mean, null, min, max, null, null);
        }
        // two passes over the values: the one-pass sum-of-squares formula loses digits when spread << mean
        double squares = 0;
        for (Double v : values) {
            if (v != null && Double.isFinite(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        double std = Math.sqrt(squares / (n - 1));
        double half = StudentT.quantile975(n - 1) * std / Math.sqrt(n);
        return new MetricStats(n, mean, std, min, max, mean - half, mean + half);
    }
}
