package io.isofold.supervisor.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The numbers of a run: counts, per-model statistics and pairwise comparisons. What summary.json, the
 * end-of-run table and the page all print, computed once.
 *
 * @param requested        requested replicates per model times the number of models
 * @param completed        replicates with a completed attempt
 * @param attempts         finished attempts (running ones are not counted)
 * @param failedAttempts   finished attempts that did not complete, except interrupted ones: an interruption is
 *                         the user stopping the run, not the worker failing (supervisor-lost does count)
 * @param attemptsByVerdict every attempt, running included, by verdict
 * @param metricNames      the union of metric names, in display order
 * @param metrics          whole-run statistics; null unless the run has exactly one model
 * @param models           spec order
 * @param comparisons      every pair of models (A before B in spec order)
 */
public record Summary(Path outDir, boolean running, Instant started, Instant ended, int folds, int requested,
        int completed, int attempts, int failedAttempts, int runningAttempts, Map<String, Integer> attemptsByVerdict,
        List<String> metricNames, Map<String, MetricStats> metrics, Map<String, ModelSummary> models,
        List<ModelComparison> comparisons) {

    public static Summary of(RunView view) {
        List<String> models = modelsOf(view);
        Map<Integer, AttemptView> completedByReplicate = completedByReplicate(view.attempts());

        Set<String> names = new HashSet<>();
        completedByReplicate.values().forEach(a -> names.addAll(a.metrics().keySet()));
        List<String> metricNames = MetricDirection.displayOrder(names);

        Map<String, ModelSummary> modelSummaries = new LinkedHashMap<>();
        for (String model : models) {
            List<AttemptView> ofModel = view.attempts().stream().filter(a -> model.equals(a.model())).toList();
            List<AttemptView> done = completedByReplicate.values().stream()
                    .filter(a -> model.equals(a.model())).toList();
            modelSummaries.put(model, new ModelSummary(model, view.requestedPerModel(), done.size(),
                    countFinished(ofModel), countFailed(ofModel), statistics(done, metricNames)));
        }

        List<ModelComparison> comparisons = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            for (int j = i + 1; j < models.size(); j++) {
                comparisons.add(compare(models.get(i), models.get(j), completedByReplicate.values(), metricNames,
                        view.folds()));
            }
        }

        Map<String, Integer> byVerdict = new LinkedHashMap<>();
        for (String v : Verdicts.ALL) {
            int count = (int) view.attempts().stream().filter(a -> v.equals(verdictOf(a))).count();
            if (count > 0) {
                byVerdict.put(v, count);
            }
        }
        // verdicts this code does not know yet (a newer run loop) still count, after the known ones
        view.attempts().stream().filter(a -> !Verdicts.ALL.contains(verdictOf(a)))
                .collect(Collectors.groupingBy(Summary::verdictOf, TreeMap::new, Collectors.summingInt(a -> 1)))
                .forEach(byVerdict::put);

        Map<String, MetricStats> overall = models.size() == 1
                ? statistics(List.copyOf(completedByReplicate.values()), metricNames) : null;
        int running = (int) view.attempts().stream().filter(AttemptView::running).count();
        return new Summary(view.outDir(), view.running(), view.started(), view.ended(), view.folds(),
                view.requestedPerModel() * models.size(), completedByReplicate.size(), countFinished(view.attempts()),
                countFailed(view.attempts()), running, byVerdict, metricNames, overall, modelSummaries, comparisons);
    }

    /** The spec's models, then any model the attempts name that the spec did not (rather than dropping data). */
    private static List<String> modelsOf(RunView view) {
        Set<String> models = new LinkedHashSet<>(view.models());
        view.attempts().forEach(a -> models.add(a.model()));
        return List.copyOf(models);
    }

    /** The completed attempt of each replicate, by replicate id; the first one should a journal ever hold two. */
    static Map<Integer, AttemptView> completedByReplicate(List<AttemptView> attempts) {
        Map<Integer, AttemptView> completed = new TreeMap<>();
        attempts.stream().filter(AttemptView::completed)
                .sorted(Comparator.comparingInt(AttemptView::attempt))
                .forEach(a -> completed.putIfAbsent(a.replicate(), a));
        return completed;
    }

    private static String verdictOf(AttemptView a) {
        return Verdicts.label(a);
    }

    private static int countFinished(List<AttemptView> attempts) {
        return (int) attempts.stream().filter(a -> !a.running()).count();
    }

    private static int countFailed(List<AttemptView> attempts) {
        return (int) attempts.stream()
                .filter(a -> !a.running() && a.verdict().failure())
                .count();
    }

    private static Map<String, MetricStats> statistics(List<AttemptView> completed, List<String> metricNames) {
        Map<String, MetricStats> stats = new LinkedHashMap<>();
        for (String metric : metricNames) {
            List<Double> values = new ArrayList<>();
            for (AttemptView a : completed) {
                values.add(a.metrics().get(metric));
            }
            MetricStats s = MetricStats.of(values);
            if (s != null) {
                stats.put(metric, s);
            }
        }
        return stats;
    }

    /** Pairs replicates of A and B by index: same index means same fold of the same shuffle. */
    private static ModelComparison compare(String modelA, String modelB, Iterable<AttemptView> completed,
            List<String> metricNames, int folds) {
        Map<Integer, AttemptView> a = new TreeMap<>();
        Map<Integer, AttemptView> b = new TreeMap<>();
        for (AttemptView attempt : completed) {
            if (modelA.equals(attempt.model())) {
                a.putIfAbsent(attempt.index(), attempt);
            } else if (modelB.equals(attempt.model())) {
                b.putIfAbsent(attempt.index(), attempt);
            }
        }
        Map<String, PairedComparison> byMetric = new LinkedHashMap<>();
        for (String metric : metricNames) {
            List<double[]> pairs = new ArrayList<>();
            for (Map.Entry<Integer, AttemptView> e : a.entrySet()) {
                AttemptView other = b.get(e.getKey());
                Double x = e.getValue().metrics().get(metric);
                Double y = other == null ? null : other.metrics().get(metric);
                if (x != null && y != null && Double.isFinite(x) && Double.isFinite(y)) {
                    pairs.add(new double[] {x, y});
                }
            }
            if (pairs.isEmpty()) {
                continue;
            }
            double[] xs = pairs.stream().mapToDouble(p -> p[0]).toArray();
            double[] ys = pairs.stream().mapToDouble(p -> p[1]).toArray();
            byMetric.put(metric, PairedComparison.corrected(metric, xs, ys, Math.max(2, folds)));
        }
        return new ModelComparison(modelA, modelB, byMetric);
    }
}
