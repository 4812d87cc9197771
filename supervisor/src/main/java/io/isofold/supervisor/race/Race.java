package io.isofold.supervisor.race;

import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.report.StudentT;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The race's decision at one step: which of the variants still racing are significantly worse than the
 * current best. Pure: no clock, no files, no randomness; the same results give the same decisions.
 *
 * <p>The rule. A step is a number of folds k: every variant still racing has settled (completed or given up)
 * its replicates 0..k-1, and only those are looked at, so a decision never depends on which later replicate
 * happened to finish first. From k = burn-in on:
 * <ol>
 *   <li>The current best is the variant with the best mean over the replicates below k that every variant
 *       still racing completed (its failures leave a replicate out of everyone's mean); ties go to the name
 *       that sorts first. Should no replicate be common to all, each variant's own mean is used.</li>
 *   <li>Every other variant is paired with the best on the replicates below k that both completed (the same
 *       index is the same fold of the same shuffle), and tested one-sided: is it worse? The test is the plain
 *       paired t-test on the differences, t = mean / (sd / sqrt(n)), df = n - 1. A variant is compared only
 *       once it has at least max(2, burn-in) pairs.</li>
 *   <li>Those with p &lt; alpha are eliminated; the best is then chosen again among the rest (it can change
 *       when an eliminated variant's failures had kept a fold out of the common means), until no more go.</li>
 * </ol>
 *
 * <p>Degenerate cases, decided without NaN: pairs that all differ by the same amount have no spread to
 * measure against; a difference of zero everywhere (identical values, or a constant metric) is "not worse"
 * (p = 1), a constant non-zero one is certain (p = 0 when worse, 1 when better), as {@code PairedComparison}
 * decides it. Fewer than two variants racing: nothing to decide.
 */
public final class Race {
    /** Pairs whose spread is below this share of their size differ by rounding only: a constant difference. */
    private static final double ROUNDING = 1e-12;

    private final RunSpec.Race settings;

    public Race(RunSpec.Race settings) {
        this.settings = settings;
    }

    public RunSpec.Race settings() {
        return settings;
    }

    /**
     * One variant's results on the raced metric.
     *
     * @param values  by replicate index within the variant: the completed replicates that reported a finite value
     * @param settled every replicate index that will get no other value: completed (with or without the metric)
     *                or given up; the keys of {@code values} are added to it
     */
    public record Standing(String variant, Map<Integer, Double> values, Set<Integer> settled) {
        public Standing {
            TreeMap<Integer, Double> finite = new TreeMap<>();
            values.forEach((i, v) -> {
                if (v != null && Double.isFinite(v)) {
                    finite.put(i, v);
                }
            });
            TreeSet<Integer> all = new TreeSet<>(settled);
            all.addAll(values.keySet());
            values = Collections.unmodifiableMap(finite);
            settled = Collections.unmodifiableSet(all);
        }

        /** How many leading replicates (0, 1, 2, ...) are settled. */
        public int settledFolds() {
            int k = 0;
            while (settled.contains(k)) {
                k++;
            }
            return k;
        }
    }

    /** The step the race may decide at: the fewest leading replicates any variant still racing has settled. */
    public static int settledFolds(Collection<Standing> racing) {
        return racing.stream().mapToInt(Standing::settledFolds).min().orElse(0);
    }

    /**
     * The eliminations at step {@code afterFolds}, in the order they were decided (by name within a round).
     * Nothing before the burn-in, nor with fewer than two variants racing.
     *
     * @param racing every variant still racing (none eliminated), each settled through at least {@code afterFolds}
     */
    public List<Elimination> decide(int afterFolds, String metric, boolean lowerIsBetter, List<Standing> racing) {
        List<Elimination> out = new ArrayList<>();
        if (afterFolds < settings.burnIn()) {
            return out;
        }
        List<Standing> alive = new ArrayList<>(racing);
        alive.sort(Comparator.comparing(Standing::variant));
        while (alive.size() >= 2) {
            Standing best = best(alive, afterFolds, lowerIsBetter);
            if (best == null) {
                break;
            }
            List<Elimination> round = new ArrayList<>();
            for (Standing s : alive) {
                if (s == best) {
                    continue;
                }
                Test t = test(s, best, afterFolds, lowerIsBetter);
                if (t != null && t.n() >= Math.max(2, settings.burnIn()) && t.p() < settings.alpha()) {
                    round.add(new Elimination(s.variant(), afterFolds, t.n(), metric, lowerIsBetter ? "lower" : "higher",
                            t.statistic(), t.p(), best.variant(), t.meanWorse()));
                }
            }
            if (round.isEmpty()) {
                break;
            }
            out.addAll(round);
            alive.removeIf(s -> round.stream().anyMatch(e -> e.variant().equals(s.variant())));
        }
        return out;
    }

    /**
     * The current best: best mean over the replicates below {@code k} that all of them completed, else over each
     * one's own; null when none has a value. {@code alive} is sorted by name, so the first of equal means wins.
     */
    static Standing best(List<Standing> alive, int k, boolean lowerIsBetter) {
        List<Integer> common = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int index = i;
            if (alive.stream().allMatch(s -> s.values().containsKey(index))) {
                common.add(i);
            }
        }
        Standing best = null;
        double bestMean = 0;
        for (Standing s : alive) {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < k; i++) {
                Double v = s.values().get(i);
                if (v != null && (common.isEmpty() || common.contains(i))) {
                    sum += v;
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            double mean = sum / n;
            if (best == null || (lowerIsBetter ? mean < bestMean : mean > bestMean)) {
                best = s;
                bestMean = mean;
            }
        }
        return best;
    }

    /** A one-sided paired test of "x is worse than best". */
    record Test(int n, double meanWorse, Double statistic, double p) {}

    /** Null with fewer than two pairs. */
    static Test test(Standing x, Standing best, int k, boolean lowerIsBetter) {
        List<Double> worse = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Double a = x.values().get(i);
            Double b = best.values().get(i);
            if (a != null && b != null) {
                worse.add(lowerIsBetter ? a - b : b - a);
            }
        }
        int n = worse.size();
        if (n < 2) {
            return null;
        }
        double sum = 0;
        double largest = 0;
        for (double d : worse) {
            sum += d;
            largest = Math.max(largest, Math.abs(d));
        }
        double mean = sum / n;
        double squares = 0;
        for (double d : worse) {
            squares += (d - mean) * (d - mean);
        }
        double sd = Math.sqrt(squares / (n - 1));
        if (sd <= ROUNDING * largest) {
            // the same difference on every pair: nothing to weigh it against, so it is taken as it is
            return new Test(n, mean, null, mean > 0 ? 0.0 : 1.0);
        }
        double t = mean / (sd / Math.sqrt(n));
        double twoSided = StudentT.twoSidedP(t, n - 1);
        double p = t >= 0 ? twoSided / 2 : 1 - twoSided / 2;
        return new Test(n, mean, t, p);
    }
}
