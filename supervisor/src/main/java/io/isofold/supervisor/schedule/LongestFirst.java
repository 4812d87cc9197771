package io.isofold.supervisor.schedule;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The order to start pending replicates in when several models run: the longest expected first
 * (the LPT rule of list scheduling), so that a run does not end with one long replicate on one GPU
 * while the other GPUs idle. No clock, no I/O, no threads: the run loop's thread tells it the
 * durations of completed attempts and asks it what to start.
 *
 * <p>A model's expected duration is the median of its latest {@value #RECENT} completed attempts (a
 * median, so that one attempt slowed by a busy machine does not reorder the run; the latest, so that
 * the cost stays bounded in a run of 20,000 attempts). A model with no completed attempt yet comes
 * first: it may be the longest, and starting it early is what tells. Ties, among them the whole
 * start of a run when nothing is known, keep the plan's order, in which the models' paired
 * replicates come together.
 */
public final class LongestFirst {
    /** Completed attempts per model that the expectation looks at. */
    static final int RECENT = 63;

    private final Map<String, Deque<Double>> recent = new HashMap<>();
    private final Map<String, Double> expected = new HashMap<>();

    /** An attempt of {@code model} completed in {@code seconds}; a duration that is not finite or is negative is ignored. */
    public void completed(String model, double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return;
        }
        Deque<Double> d = recent.computeIfAbsent(model, m -> new ArrayDeque<>());
        d.addLast(seconds);
        if (d.size() > RECENT) {
            d.removeFirst();
        }
        expected.put(model, median(d));
    }

    /** The expected seconds of one attempt of {@code model}; {@link Double#POSITIVE_INFINITY} when none has completed. */
    public double expectedSeconds(String model) {
        return expected.getOrDefault(model, Double.POSITIVE_INFINITY);
    }

    /**
     * The replicate to start next: of each model's first pending replicate, the one whose model is
     * expected to take longest; among equals, the first in the plan. One pass over {@code pending}.
     *
     * @param pending the replicates that may start, in the plan's order
     * @param model   a replicate's model name
     */
    public <T> Optional<T> next(List<T> pending, Function<? super T, String> model) {
        T best = null;
        double bestSeconds = Double.NEGATIVE_INFINITY;
        for (T t : pending) {
            double s = expectedSeconds(model.apply(t));
            if (best == null || s > bestSeconds) { // strictly longer: an equal one later in the plan waits
                best = t;
                bestSeconds = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * All of {@code pending} in the order they would start (for a report, or a backend that queues
     * several at once): unknown models first, then the longest expected; stable.
     */
    public <T> List<T> order(List<T> pending, Function<? super T, String> model) {
        Map<String, Double> byModel = new LinkedHashMap<>();
        for (T t : pending) {
            byModel.computeIfAbsent(model.apply(t), this::expectedSeconds);
        }
        List<T> ordered = new ArrayList<>(pending);
        // List.sort is stable: equal expectations keep the plan's order
        ordered.sort(Comparator.comparingDouble((T t) -> byModel.get(model.apply(t))).reversed());
        return ordered;
    }

    /** The median of durations (all finite); {@link Double#POSITIVE_INFINITY} for none. */
    static double median(Collection<Double> durations) {
        if (durations.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        double[] d = durations.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(d);
        int mid = d.length / 2;
        return d.length % 2 == 1 ? d[mid] : (d[mid - 1] + d[mid]) / 2;
    }
}
