package io.isofold.supervisor.report;

import io.isofold.supervisor.spec.MetricDirection;
import java.util.Map;

/**
 * Model A against model B on every metric both report, over paired replicates. In the run's list of every pair,
 * A comes before B in spec order; compared with the best, A is the other variant and B the best.
 *
 * @param metrics    per metric, in display order
 * @param directions which way each metric is better; a metric missing here has its direction guessed
 * @param adjusted   per metric, the p-value adjusted for the comparisons made alongside (Holm's method); a
 *                   metric missing here was not adjusted, and its verdict rests on its own p
 */
public record ModelComparison(String modelA, String modelB, Map<String, PairedComparison> metrics,
        Map<String, MetricDirection> directions, Map<String, Double> adjusted) {

    public ModelComparison {
        directions = directions == null ? Map.of() : Map.copyOf(directions);
        adjusted = adjusted == null ? Map.of() : adjusted;
    }

    /** Not adjusted for other comparisons. */
    public ModelComparison(String modelA, String modelB, Map<String, PairedComparison> metrics,
            Map<String, MetricDirection> directions) {
        this(modelA, modelB, metrics, directions, Map.of());
    }

    /** With every direction guessed from the metrics' names. */
    public ModelComparison(String modelA, String modelB, Map<String, PairedComparison> metrics) {
        this(modelA, modelB, metrics, Map.of());
    }

    public MetricDirection direction(String metric) {
        MetricDirection d = directions.get(metric);
        return d != null ? d : MetricDirection.guess(metric);
    }

    /** The adjusted p of a metric's comparison, or null when it was not adjusted (or had no test). */
    public Double adjustedP(String metric) {
        return adjusted.get(metric);
    }

    /** Whether the difference is more than noise: by the adjusted p where there is one, else by its own. */
    public boolean significant(PairedComparison c) {
        Double a = adjusted.get(c.metric());
        return a != null ? a < PairedComparison.ALPHA : c.significant();
    }

    /** Plain words for a reader: who is ahead, and whether that is more than resampling noise. */
    public String verdict(PairedComparison c) {
        if (c.n() < 2) {
            return c.n() + (c.n() == 1 ? " pair" : " pairs") + ", too few to compare";
        }
        if (c.meanDifference() == 0) {
            return "no difference";
        }
        boolean aBetter = (c.meanDifference() > 0) != direction(c.metric()).lowerIsBetter();
        String leader = aBetter ? modelA : modelB;
        return leader + " ahead, " + (significant(c) ? "more than noise" : "within noise");
    }
}
