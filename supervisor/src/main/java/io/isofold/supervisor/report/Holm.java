package io.isofold.supervisor.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Holm's step-down adjustment of p-values for a family of comparisons (Holm 1979): the smallest p times m, the
 * next times m - 1, and so on, each at least the one before, at most 1. It keeps the chance of calling any true
 * tie a difference at the level the adjusted p is compared with, whatever the comparisons' dependence, and it
 * is uniformly more powerful than Bonferroni's.
 */
final class Holm {
    private Holm() {}

    /** Adjusted p-values in the order given; a null p (no test) stays null and does not count in the family. */
    static List<Double> adjust(List<Double> p) {
        List<Integer> tested = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            if (p.get(i) != null && !p.get(i).isNaN()) {
                tested.add(i);
            }
        }
        tested.sort(Comparator.comparingDouble(p::get));
        Double[] adjusted = new Double[p.size()];
        int m = tested.size();
        double running = 0;
        for (int k = 0; k < m; k++) {
            int i = tested.get(k);
            running = Math.max(running, Math.min(1.0, (m - k) * p.get(i)));
            adjusted[i] = running;
        }
        return Arrays.asList(adjusted);
    }
}
