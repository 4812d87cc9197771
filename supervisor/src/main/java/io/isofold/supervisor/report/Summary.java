package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.MetricValues;
import io.isofold.supervisor.spec.MetricDirection;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
 * @param metricNames      the union of metric names, in display order: the --metric ones first
 * @param metrics          whole-run statistics; null unless the run has exactly one model
 * @param models           spec order
 * @param comparisons      every pair of models (A before B in spec order)
 * @param goals            the run's --metric choices
 * @param directions       which way each of {@code metricNames} is better, and whether that is a guess
 * @param primaryMetric    the first --metric that a replicate reported; else val_accuracy when reported; else
 *                         the first in display order; null before any replicate completed
 * @param csvColumns       metrics whose results.csv column is not their name (a fixed column's name): name to column
 * @param notes            things a reader should know about these numbers, one sentence each
 * @param race             how the race went, when the run races its variants; else null
 * @param ranking          the models best first on the primary metric (its mean, in its direction): those the race
 *                         did not eliminate, then those it did; within each, models with no value last, in spec
 *                         order. Spec order when no replicate completed
 * @param best             the first of {@code ranking} when it has a value and was not eliminated; else null
 * @param vsBest           each other model not eliminated against the best ({@code modelA} the other, {@code modelB}
 *                         the best), on every metric, its p-values adjusted by Holm's method over the comparisons
 *                         of one metric; empty without a best or another model
 * @param paramColumns     each param any model has, in order of first appearance, to its results.csv column
 * @param continuedAttempts  ended attempts whose worker continued from a checkpoint
 * @param trainingSecondsSaved the training time those attempts did not redo, as their workers reported it
 */
public record Summary(Path outDir, boolean running, Instant started, Instant ended, int folds, int requested,
        int completed, int attempts, int failedAttempts, int runningAttempts, Map<String, Integer> attemptsByVerdict,
        List<String> metricNames, Map<String, MetricStats> metrics, Map<String, ModelSummary> models,
        List<ModelComparison> comparisons, MetricGoals goals, Map<String, MetricDirection> directions,
        String primaryMetric, Map<String, String> csvColumns, List<String> notes, RaceSummary race,
        List<String> ranking, String best, List<ModelComparison> vsBest, Map<String, String> paramColumns,
        int continuedAttempts, double trainingSecondsSaved) {


    public static Summary of(RunView view) {
        List<String> models = modelsOf(view);
        Map<Integer, AttemptView> completedByReplicate = completedByReplicate(view.attempts());
        MetricGoals goals = view.directions();

        Set<String> names = new HashSet<>();
        completedByReplicate.values().forEach(a -> names.addAll(a.metrics().keySet()));
        List<String> metricNames = goals.displayOrder(names);
        Map<String, MetricDirection> directions = new LinkedHashMap<>();
        metricNames.forEach(m -> directions.put(m, goals.direction(m)));
        String primary = primaryMetric(goals, names);

        Map<String, String> csvColumns = new LinkedHashMap<>();
        Map<String, String> paramColumns = ResultsCsv.paramColumns(paramNames(view), names);
        ResultsCsv.columns(names).forEach((metric, column) -> {
            if (!metric.equals(column)) {
                csvColumns.put(metric, column);
            }
        });
        List<String> notes = new ArrayList<>();
        csvColumns.forEach((metric, column) -> notes.add("the metric '" + metric + "' is the column '" + column
                + "' of results.csv, since '" + metric + "' is one of its fixed columns"));
        if (!completedByReplicate.isEmpty()) {
            for (String missing : goals.missing(names)) {
                notes.add("--metric " + missing + ": no completed replicate reported a metric of that name"
                        + " (they report " + some(metricNames) + ")");
            }
        }

        for (List<String> alike : identicalVariants(models, completedByReplicate.values())) {
            notes.add("variants " + String.join(", ", alike) + " gave exactly the same results on every fold they"
                    + " share: if they differ only in --param values, the worker may not read them ({param.NAME}"
                    + " in its command, ISOFOLD_PARAMS or task.json's params)");
        }

        Map<String, ModelSummary> modelSummaries = new LinkedHashMap<>();
        for (String model : models) {
            List<AttemptView> ofModel = view.attempts().stream().filter(a -> model.equals(a.model())).toList();
            List<AttemptView> done = completedByReplicate.values().stream()
                    .filter(a -> model.equals(a.model())).toList();
            modelSummaries.put(model, new ModelSummary(model, view.requestedPerModel(), done.size(),
                    countFinished(ofModel), countFailed(ofModel), statistics(done, metricNames),
                    view.params().getOrDefault(model, Map.of())));
        }

        List<ModelComparison> comparisons = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            for (int j = i + 1; j < models.size(); j++) {
                comparisons.add(compare(models.get(i), models.get(j), completedByReplicate.values(), metricNames,
                        view.folds(), directions));
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
        RaceSummary race = view.race() == null ? null
                : RaceSummary.of(view.race(), modelSummaries, metricNames, primary,
                        m -> goals.direction(m).lowerIsBetter(), m -> goals.direction(m).guessed());
        List<String> ranking = rank(modelSummaries, primary, primary != null && directions.get(primary).lowerIsBetter(),
                race);
        String best = ranking.isEmpty() || primary == null
                || !modelSummaries.get(ranking.get(0)).metrics().containsKey(primary)
                || (race != null && race.eliminated(ranking.get(0))) ? null : ranking.get(0);
        List<ModelComparison> vsBest = vsBest(best, ranking, comparisons, metricNames, directions, race);
        int continued = 0;
        double saved = 0;
        for (AttemptView a : view.attempts()) {
            if (a.continuedFrom() != null && !a.running()) {
                continued++;
                Double r = a.continuedFrom().restoredSeconds();
                saved += r != null && Double.isFinite(r) && r > 0 ? r : 0;
            }
        }
        return new Summary(view.outDir(), view.running(), view.started(), view.ended(), view.folds(),
                view.requestedPerModel() * models.size(), completedByReplicate.size(), countFinished(view.attempts()),
                countFailed(view.attempts()), running, byVerdict, metricNames, overall, modelSummaries, comparisons,
                goals, directions, primary, csvColumns, notes, race, ranking, best, vsBest, paramColumns, continued,
                saved);
    }

    /**
     * Groups of variants whose completed replicates reported the same metrics, value for value, on each of at
     * least two folds they share: different settings would not repeat a result exactly, so the worker most
     * likely never saw what tells them apart, and their comparison's "no difference" says nothing.
     */
    static List<List<String>> identicalVariants(List<String> models, Iterable<AttemptView> completed) {
        Map<String, Map<Integer, Map<String, Double>>> byModel = new LinkedHashMap<>();
        for (AttemptView a : completed) {
            if (!a.metrics().isEmpty()) {
                byModel.computeIfAbsent(a.model(), m -> new TreeMap<>()).putIfAbsent(a.index(), a.metrics());
            }
        }
        List<List<String>> groups = new ArrayList<>();
        Set<String> grouped = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            String first = models.get(i);
            if (grouped.contains(first) || !byModel.containsKey(first)) {
                continue;
            }
            List<String> group = new ArrayList<>(List.of(first));
            for (int j = i + 1; j < models.size(); j++) {
                String other = models.get(j);
                if (!grouped.contains(other) && byModel.containsKey(other)
                        && sameOnSharedFolds(byModel.get(first), byModel.get(other))) {
                    group.add(other);
                }
            }
            if (group.size() > 1) {
                grouped.addAll(group);
                groups.add(group);
            }
        }
        return groups;
    }

    private static boolean sameOnSharedFolds(Map<Integer, Map<String, Double>> a, Map<Integer, Map<String, Double>> b) {
        int shared = 0;
        for (Map.Entry<Integer, Map<String, Double>> e : a.entrySet()) {
            Map<String, Double> other = b.get(e.getKey());
            if (other != null) {
                if (!other.equals(e.getValue())) {
                    return false;
                }
                shared++;
            }
        }
        return shared >= 2;
    }

    /** Every param name of the run's models, in order of first appearance. */
    static List<String> paramNames(RunView view) {
        Set<String> names = new LinkedHashSet<>();
        view.params().values().forEach(p -> names.addAll(p.keySet()));
        return List.copyOf(names);
    }

    /**
     * The params whose value differs between the models (or that some model lacks): the columns a leaderboard
     * needs; a param every model has alike says nothing about their ranking.
     */
    public List<String> variedParams() {
        List<String> varied = new ArrayList<>();
        for (String name : paramColumns.keySet()) {
            Set<String> values = new HashSet<>();
            boolean missing = false;
            for (ModelSummary m : models.values()) {
                String v = m.params().get(name);
                if (v == null) {
                    missing = true;
                } else {
                    values.add(v);
                }
            }
            if (values.size() > 1 || (missing && !values.isEmpty())) {
                varied.add(name);
            }
        }
        return varied;
    }

    /**
     * A param's name as a column of the tables: its own, or {@code param.NAME} when a metric has that name (a
     * variant's "rmse" setting is not its rmse).
     */
    public String paramLabel(String param) {
        return metricNames.contains(param) ? ResultsCsv.PARAM_PREFIX + param : param;
    }

    /**
     * Best mean first on the metric, in its direction; the race's eliminated variants after those it kept; no value
     * last; ties and the rest in spec order (a stable sort).
     */
    private static List<String> rank(Map<String, ModelSummary> models, String metric, boolean lowerIsBetter,
            RaceSummary race) {
        List<String> ranked = new ArrayList<>(models.keySet());
        if (metric == null) {
            return List.copyOf(ranked);
        }
        ranked.sort(Comparator.<String>comparingInt(n -> race != null && race.eliminated(n) ? 1 : 0)
                .thenComparingInt(n -> models.get(n).metrics().containsKey(metric) ? 0 : 1)
                .thenComparingDouble(n -> {
                    MetricStats st = models.get(n).metrics().get(metric);
                    return st == null ? 0 : lowerIsBetter ? st.mean() : -st.mean();
                }));
        return List.copyOf(ranked);
    }

    /**
     * Each other model the race kept against the best, oriented other minus best, with Holm's adjustment over the
     * comparisons of each metric: taken from the pairs' comparisons, not tested again.
     */
    private static List<ModelComparison> vsBest(String best, List<String> ranking, List<ModelComparison> pairs,
            List<String> metricNames, Map<String, MetricDirection> directions, RaceSummary race) {
        if (best == null) {
            return List.of();
        }
        // the best's pairs, by the other model: a grid of 1000 variants has half a million pairs
        Map<String, ModelComparison> withBest = new java.util.HashMap<>();
        for (ModelComparison c : pairs) {
            if (c.modelA().equals(best)) {
                withBest.putIfAbsent(c.modelB(), c);
            } else if (c.modelB().equals(best)) {
                withBest.putIfAbsent(c.modelA(), c);
            }
        }
        List<String> others = new ArrayList<>();
        List<Map<String, PairedComparison>> byOther = new ArrayList<>();
        for (String other : ranking) {
            ModelComparison c = withBest.get(other);
            if (other.equals(best) || (race != null && race.eliminated(other)) || c == null) {
                continue;
            }
            Map<String, PairedComparison> oriented = c.metrics();
            if (c.modelA().equals(best)) {
                oriented = new LinkedHashMap<>();
                for (PairedComparison p : c.metrics().values()) {
                    oriented.put(p.metric(), p.flipped());
                }
            }
            others.add(other);
            byOther.add(oriented);
        }
        List<Map<String, Double>> adjusted = adjustPerMetric(byOther, metricNames);
        List<ModelComparison> compared = new ArrayList<>();
        for (int i = 0; i < others.size(); i++) {
            compared.add(new ModelComparison(others.get(i), best, byOther.get(i), directions, adjusted.get(i)));
        }
        return List.copyOf(compared);
    }

    /** Holm's adjustment within each metric, over the comparisons that tested it. */
    private static List<Map<String, Double>> adjustPerMetric(List<Map<String, PairedComparison>> comparisons,
            Collection<String> metricNames) {
        List<Map<String, Double>> adjusted = new ArrayList<>();
        comparisons.forEach(c -> adjusted.add(new LinkedHashMap<>()));
        for (String metric : metricNames) {
            List<Double> p = new ArrayList<>(comparisons.size());
            for (Map<String, PairedComparison> c : comparisons) {
                PairedComparison pc = c.get(metric);
                p.add(pc == null ? null : pc.pValue());
            }
            if (p.stream().filter(x -> x != null).count() < 2) {
                continue; // a comparison alone needs no adjustment, and is shown without one
            }
            List<Double> holm = Holm.adjust(p);
            for (int i = 0; i < comparisons.size(); i++) {
                if (holm.get(i) != null) {
                    adjusted.get(i).put(metric, holm.get(i));
                }
            }
        }
        // compact, as the metrics are: a result may have thousands of metrics, and every pair has them all
        adjusted.replaceAll(MetricValues::of);
        return adjusted;
    }

    /**
     * Every pair, each metric's p-values adjusted by Holm's method over all the pairs that tested it: what
     * {@code report --all-pairs} shows, and summary.json's {@code p_holm}.
     */
    public List<ModelComparison> allPairsAdjusted() {
        return allPairsAdjusted(metricNames);
    }

    /** As {@link #allPairsAdjusted()}, adjusting only these metrics (the page's few). */
    public List<ModelComparison> allPairsAdjusted(Collection<String> metrics) {
        List<Map<String, PairedComparison>> byPair = comparisons.stream().map(ModelComparison::metrics).toList();
        List<Map<String, Double>> adjusted = adjustPerMetric(byPair, metrics);
        List<ModelComparison> all = new ArrayList<>(comparisons.size());
        for (int i = 0; i < comparisons.size(); i++) {
            ModelComparison c = comparisons.get(i);
            all.add(new ModelComparison(c.modelA(), c.modelB(), c.metrics(), c.directions(), adjusted.get(i)));
        }
        return all;
    }

    /** The models in the leaderboard's order: {@link #ranking}. */
    public List<ModelSummary> rankedModels() {
        return ranking.stream().map(models::get).toList();
    }

    /** Whether a model is out of the leaderboard's running: the race eliminated it. */
    public boolean eliminated(String model) {
        return race != null && race.eliminated(model);
    }

    /** The comparisons with the best, on a metric: those that tested it. */
    public int comparedWithBest(String metric) {
        return (int) vsBest.stream().filter(c -> c.metrics().containsKey(metric)).count();
    }

    /** Names for a sentence: all of a few, the first of many (a result may have thousands) with the count. */
    private static String some(List<String> names) {
        int shown = 10;
        if (names.size() <= shown) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, shown)) + " and " + (names.size() - shown) + " more";
    }

    /**
     * The replicates the run must complete: all requested, less those of variants the race eliminated that
     * were never completed (they will not be run).
     */
    public int required() {
        return race == null ? requested : requested - race.attemptsSaved();
    }

    /**
     * The run's primary metric among those reported: the first --metric that was reported; else val_accuracy
     * when reported; else the first in display order; null when none was reported. The race races on it too.
     */
    public static String primaryMetric(MetricGoals goals, Collection<String> reported) {
        List<String> metricNames = goals.displayOrder(reported);
        return metricNames.isEmpty() ? null
                : goals.named(metricNames.get(0)) || !metricNames.contains("val_accuracy") ? metricNames.get(0)
                : "val_accuracy";
    }

    /** Running, complete, or stopped short of that; never {@link RunStanding#SUPERVISOR_NOT_RUNNING}. */
    public RunStanding state() {
        return running ? RunStanding.RUNNING
                : completed >= required() && required() > 0 ? RunStanding.COMPLETE : RunStanding.STOPPED;
    }

    /** The direction of a metric of this run: the user's, or the guess (marked as such). */
    public MetricDirection direction(String metric) {
        MetricDirection d = directions.get(metric);
        return d != null ? d : goals.direction(metric);
    }

    /** The metrics directions were guessed for, in display order. */
    public List<String> guessedDirections() {
        return metricNames.stream().filter(m -> direction(m).guessed()).toList();
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
            List<String> metricNames, int folds, Map<String, MetricDirection> directions) {
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
        return new ModelComparison(modelA, modelB, byMetric, directions);
    }
}
