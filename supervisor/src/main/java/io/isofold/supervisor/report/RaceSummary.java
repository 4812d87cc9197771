package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.JournalEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The race in a raced run's numbers: how each variant fared, the fits it saved, and the ranking, which holds
 * the variants not eliminated only. An eliminated variant is never called best, on any metric: its figures
 * rest on the folds it ran before it was cut, and on a metric it was not raced on it may look better by
 * chance (finetune's tune#535: a dropped variant reported best on a second metric).
 *
 * @param metric        the metric raced on: the eliminations' (else the run's primary metric); null before any
 * @param better        {@code lower} or {@code higher}: the metric's direction; null with no metric
 * @param guessed       whether that direction is a guess (no {@code --metric NAME:min|max})
 * @param variants      spec order
 * @param fullGrid      replicates the full grid needs: requested per variant times variants
 * @param attemptsSaved replicates of eliminated variants that were never completed: the fits not run
 * @param ranking       the variants not eliminated, best mean on {@code metric} first; those with no value
 *                      yet last, in spec order
 * @param best          per metric (display order), the best mean among the variants not eliminated
 */
public record RaceSummary(int burnIn, double alpha, String metric, String better, boolean guessed,
        List<Variant> variants, int fullGrid, int attemptsSaved, List<String> ranking, Map<String, String> best) {

    public static final String FINISHED = "finished";
    public static final String ELIMINATED = "eliminated";
    public static final String RACING = "racing";

    /**
     * @param status      {@link #FINISHED} (every requested replicate completed), {@link #ELIMINATED}, or
     *                    {@link #RACING} (still in the race, replicates to go)
     * @param foldsRun    its completed replicates
     * @param elimination the journal's decision; null unless eliminated
     */
    public record Variant(String name, String status, int foldsRun, JournalEvent.Eliminated elimination) {}

    /**
     * @param lowerIsBetter which way each metric is better
     * @param guessed       whether that is a guess
     */
    static RaceSummary of(RaceView race, Map<String, ModelSummary> models, List<String> metricNames, String primary,
            Predicate<String> lowerIsBetter, Predicate<String> guessed) {
        String metric = race.eliminated().isEmpty() ? primary : race.eliminated().get(0).metric();
        List<Variant> variants = new ArrayList<>();
        int fullGrid = 0;
        int saved = 0;
        for (ModelSummary m : models.values()) {
            JournalEvent.Eliminated e = race.eliminationOf(m.name());
            String status = e != null ? ELIMINATED : m.completed() >= m.requested() ? FINISHED : RACING;
            variants.add(new Variant(m.name(), status, m.completed(), e));
            fullGrid += m.requested();
            if (e != null) {
                saved += Math.max(0, m.requested() - m.completed());
            }
        }
        List<String> survivors = variants.stream().filter(v -> v.elimination() == null).map(Variant::name).toList();
        List<String> ranking = metric == null ? survivors
                : rank(survivors, models, metric, lowerIsBetter.test(metric));
        Map<String, String> best = new LinkedHashMap<>();
        for (String name : metricNames) {
            List<String> ranked = rank(survivors, models, name, lowerIsBetter.test(name));
            if (!ranked.isEmpty() && models.get(ranked.get(0)).metrics().containsKey(name)) {
                best.put(name, ranked.get(0));
            }
        }
        return new RaceSummary(race.burnIn(), race.alpha(), metric,
                metric == null ? null : lowerIsBetter.test(metric) ? "lower" : "higher",
                metric != null && guessed.test(metric), List.copyOf(variants), fullGrid, saved, ranking, best);
    }

    /** Best mean first; ties and variants with no value keep spec order (a stable sort). */
    private static List<String> rank(List<String> names, Map<String, ModelSummary> models, String metric,
            boolean lowerIsBetter) {
        Comparator<String> byMean = Comparator.comparingDouble(n -> {
            MetricStats st = models.get(n).metrics().get(metric);
            if (st == null) {
                return Double.POSITIVE_INFINITY;
            }
            return lowerIsBetter ? st.mean() : -st.mean();
        });
        List<String> ranked = new ArrayList<>(names);
        ranked.sort(byMean);
        return List.copyOf(ranked);
    }

    /** ↓ or ↑, with ? when guessed, as the end-of-run table's header marks a metric. */
    public String arrow() {
        return better == null ? "" : ("lower".equals(better) ? "\u2193" : "\u2191") + (guessed ? "?" : "");
    }

    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    public boolean eliminated(String name) {
        Variant v = variant(name);
        return v != null && v.elimination() != null;
    }

    public int eliminatedCount() {
        return (int) variants.stream().filter(v -> v.elimination() != null).count();
    }

    public int finishedCount() {
        return (int) variants.stream().filter(v -> FINISHED.equals(v.status())).count();
    }

    /** "eliminated after 3 folds (p=0.004 vs mlp-b)", "finished", "racing". */
    public static String describe(Variant v) {
        JournalEvent.Eliminated e = v.elimination();
        if (e == null) {
            return v.status();
        }
        return "eliminated after " + e.afterFolds() + (e.afterFolds() == 1 ? " fold" : " folds") + " ("
                + Numbers.pValue(e.p()) + " vs " + e.best() + ")";
    }
}
