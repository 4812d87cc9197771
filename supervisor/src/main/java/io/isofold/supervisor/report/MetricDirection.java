package io.isofold.supervisor.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** Which way a metric is better, and the order people expect metrics in. */
public final class MetricDirection {
    /** Shown first: the numbers a reader of a classification run looks for. */
    static final List<String> PREFERRED = List.of("val_accuracy", "val_loss");

    private MetricDirection() {}

    /** Losses and errors are better low; everything else (accuracy, AUC, F1...) is better high. */
    public static boolean lowerIsBetter(String metric) {
        String m = metric.toLowerCase(Locale.ROOT);
        return m.contains("loss") || m.contains("error");
    }

    /** val_accuracy and val_loss first when present, then the others alphabetically. */
    public static List<String> displayOrder(Collection<String> metrics) {
        List<String> ordered = new ArrayList<>();
        for (String p : PREFERRED) {
            if (metrics.contains(p)) {
                ordered.add(p);
            }
        }
        for (String m : new TreeSet<>(metrics)) {
            if (!PREFERRED.contains(m)) {
                ordered.add(m);
            }
        }
        return ordered;
    }
}
