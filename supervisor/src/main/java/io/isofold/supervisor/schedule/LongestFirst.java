package io.isofold.supervisor.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The order to start pending replicates in when several models run: the longest expected first
 * (the LPT rule of list scheduling), so that a run does not end with one long replicate on one GPU
 * while the other GPUs idle. Pure: no clock, no I/O, no state.
 *
 * <p>A model's expected duration is the median of its completed attempts' durations (a median, so
 * that one attempt slowed by a busy machine does not reorder the run). A model with no completed
 * attempt yet comes first: it may be the longest, and starting it early is what tells. Ties, among
 * them the whole start of a run when nothing is known, keep the order given (the plan's order, in
 * which the models' paired replicates come together).
 */
public final class LongestFirst {
    private LongestFirst() {}

    /**
     * @param pending        the replicates that may start, in the plan's order
     * @param model          a replicate's model name
     * @param completedByModel durations in seconds of the completed attempts, by model name; a model
     *                       absent or with no durations is unknown
     * @return {@code pending} reordered: unknown models first, then the longest expected first; stable
     */
    public static <T> List<T> order(List<T> pending, Function<? super T, String> model,
            Map<String, ? extends Collection<Double>> completedByModel) {
        Map<String, Double> expected = new HashMap<>();
        for (T t : pending) {
            expected.computeIfAbsent(model.apply(t), m -> expectedSeconds(completedByModel.get(m)));
        }
        List<T> ordered = new ArrayList<>(pending);
        // List.sort is stable: equal expectations keep the plan's order
        ordered.sort(Comparator.comparingDouble((T t) -> expected.get(model.apply(t))).reversed());
        return ordered;
    }

    /**
     * The expected duration of one attempt of a model: the median of its completed attempts, or
     * {@link Double#POSITIVE_INFINITY} when none has completed (unknown: to be started first).
     * Durations that are not finite or are negative are left out.
     */
    public static double expectedSeconds(Collection<Double> completed) {
        if (completed == null || completed.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        double[] d = completed.stream().filter(x -> x != null && Double.isFinite(x) && x >= 0)
                .mapToDouble(Double::doubleValue).toArray();
        if (d.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        Arrays.sort(d);
        int mid = d.length / 2;
        return d.length % 2 == 1 ? d[mid] : (d[mid - 1] + d[mid]) / 2;
    }
}
