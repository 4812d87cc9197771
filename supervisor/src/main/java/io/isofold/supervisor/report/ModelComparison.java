package io.isofold.supervisor.report;

import io.isofold.supervisor.spec.MetricDirection;
import java.util.Map;
/**
 * Model A against model B (A before B in spec order) on every metric both report, over paired replicates.
 *
 * @param metrics    per metric, in display order
 * @param directions which way each metric is better; a metric missing here has its direction guessed
 */
public record ModelComparison(String modelA, String modelB, Map<String, PairedComparison> metrics,
        Map<String, MetricDirection> directions) {

    public ModelComparison {
        directions = directions == null ? Map.of() : Map.copyOf(directions);
    }

    /** With every direction guessed from the metrics' names. */
    public ModelComparison(String modelA, String modelB, Map<String, PairedComparison> metrics) {
        this(modelA, modelB, metrics, Map.of());
    }

    public MetricDirection direction(String metric) {
        MetricDirection d = directions.get(metric);
        return d != null ? d : MetricDirection.guess(metric);
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
        return leader + " ahead, " + (c.significant() ? "more than noise" : "within noise");
    }
}
