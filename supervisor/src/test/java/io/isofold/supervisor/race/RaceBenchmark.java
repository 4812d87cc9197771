package io.isofold.supervisor.race;

import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.report.MetricGoals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The race's simulation benchmark (run by {@code scripts/bench-race.sh}; it ships in no jar). It reads a real
 * grid's results.csv, estimates each variant's mean and spread on the metric and the correlation of two
 * variants' results on the same fold, then replays many races of freshly drawn results against the full grid
 * of the same draw: the share of fits the race ran, and whether the variant it chose (the best finisher) is
 * the full grid's winner or within one standard error of the winner's mean.
 *
 * <p>usage: RaceBenchmark RESULTS_CSV [METRIC[:min|max]] [RACES] [SETTINGS...], settings as
 * {@code burnIn/alpha}, e.g. {@code 3/0.05}.
 */
public final class RaceBenchmark {
    private RaceBenchmark() {}

    /** The generating model: x[v][f] = mean[v] + sd[v] * (sqrt(rho) * z[f] + sqrt(1 - rho) * e[v][f]). */
    record Grid(List<String> variants, double[] mean, double[] sd, double rho, int folds, double[][] observed) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: RaceBenchmark RESULTS_CSV [METRIC[:min|max]] [RACES] [BURN_IN/ALPHA...]");
            System.exit(2);
        }
        String metricArg = args.length > 1 ? args[1] : "val_accuracy";
        String metric = metricArg.contains(":") ? metricArg.substring(0, metricArg.indexOf(':')) : metricArg;
        MetricGoals goals = MetricGoals.parse(List.of(metricArg));
        boolean lower = goals.direction(metric).lowerIsBetter();
        int races = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        List<RunSpec.Race> settings = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            String[] s = args[i].split("/");
            settings.add(new RunSpec.Race(Integer.parseInt(s[0]), Double.parseDouble(s[1])));
        }
        if (settings.isEmpty()) {
            settings = List.of(new RunSpec.Race(3, 0.01), new RunSpec.Race(3, 0.05), new RunSpec.Race(3, 0.1),
                    new RunSpec.Race(5, 0.05));
        }
        Grid grid = read(Path.of(args[0]), metric);
        System.out.printf(Locale.ROOT, "grid: %s, %d variants x %d folds, %s (%s is better)%n", args[0],
                grid.variants().size(), grid.folds(), metric, lower ? "lower" : "higher");
        System.out.printf(Locale.ROOT, "  variant means %.4f .. %.4f, spreads (sd over folds) %.4f .. %.4f,"
                        + " fold-to-fold correlation of two variants %.2f%n",
                Arrays.stream(grid.mean()).min().orElse(0), Arrays.stream(grid.mean()).max().orElse(0),
                Arrays.stream(grid.sd()).min().orElse(0), Arrays.stream(grid.sd()).max().orElse(0), grid.rho());

        for (RunSpec.Race s : settings) {
            Outcome recorded = race(grid.observed(), grid.variants(), goals, lower, s);
            System.out.printf(Locale.ROOT, "the recorded run raced, burn-in %d, alpha %s: %d of %d fits (%.1f %%),"
                            + " %d variants finished, chose %s (%s)%n", s.burnIn(), s.alpha(), recorded.fits(),
                    grid.variants().size() * grid.folds(), 100.0 * recorded.fits() / (grid.variants().size() * grid.folds()),
                    recorded.finishers(), grid.variants().get(recorded.chosen()),
                    recorded.good() ? recorded.chosen() == recorded.winner() ? "the full grid's winner"
                            : "within one standard error of the winner" : "NOT within one standard error");
        }
        System.out.printf(Locale.ROOT, "%n%d replayed races per setting (seeds 1..%d), against the full grid of the"
                + " same draw:%n", races, races);
        System.out.printf(Locale.ROOT, "%-8s %-6s %-10s %-12s %-13s %-15s %-13s %s%n", "burn-in", "alpha",
                "mean fits", "median fits", "max fits", "winner or 1 SE", "winner", "finishers (mean)");
        for (RunSpec.Race s : settings) {
            double[] share = new double[races];
            int good = 0;
            int exact = 0;
            double finishers = 0;
            for (int r = 0; r < races; r++) {
                double[][] x = draw(grid, new Random(r + 1));
                Outcome o = race(x, grid.variants(), goals, lower, s);
                share[r] = o.fits() / (double) (grid.variants().size() * grid.folds());
                good += o.good() ? 1 : 0;
                exact += o.chosen() == o.winner() ? 1 : 0;
                finishers += o.finishers();
            }
            Arrays.sort(share);
            double median = races % 2 == 1 ? share[races / 2] : (share[races / 2 - 1] + share[races / 2]) / 2;
            System.out.printf(Locale.ROOT, "%-8d %-6s %-10s %-12s %-13s %-15s %-13s %.1f%n", s.burnIn(), s.alpha(),
                    percent(Arrays.stream(share).average().orElse(0)), percent(median), percent(share[races - 1]),
                    percent(good / (double) races), percent(exact / (double) races), finishers / races);
        }
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    /**
     * @param fits      replicates run: every fold of a finisher, the folds before its elimination of the others
     * @param winner    the full grid's winner: the best mean over all folds
     * @param chosen    the race's choice: the best mean among the finishers
     * @param good      chosen is the winner, or its full-grid mean is within one standard error of the winner's
     */
    record Outcome(int fits, int finishers, int winner, int chosen, boolean good) {}

    /** One race, replicates completing fold by fold as a fold-major run completes them. */
    static Outcome race(double[][] x, List<String> variants, MetricGoals goals, boolean lower, RunSpec.Race s) {
        int v = x.length;
        int folds = x[0].length;
        RaceState race = RaceState.start(s, variants, goals);
        String metric = goals.goals().get(0).name();
        int fits = 0;
        for (int f = 0; f < folds; f++) {
            for (int i = 0; i < v; i++) {
                if (race.isOut(variants.get(i))) {
                    continue;
                }
                fits++;
                race.completed(variants.get(i), f, Map.of(metric, x[i][f]));
                race.decide();
            }
        }
        double[] means = new double[v];
        double[] se = new double[v];
        for (int i = 0; i < v; i++) {
            means[i] = Arrays.stream(x[i]).average().orElse(0);
            double ss = 0;
            for (double y : x[i]) {
                ss += (y - means[i]) * (y - means[i]);
            }
            se[i] = Math.sqrt(ss / (folds - 1)) / Math.sqrt(folds);
        }
        int winner = 0;
        int chosen = -1;
        for (int i = 0; i < v; i++) {
            if (lower ? means[i] < means[winner] : means[i] > means[winner]) {
                winner = i;
            }
            if (!race.isOut(variants.get(i)) && (chosen < 0 || (lower ? means[i] < means[chosen] : means[i] > means[chosen]))) {
                chosen = i;
            }
        }
        boolean good = chosen == winner || Math.abs(means[winner] - means[chosen]) <= se[winner];
        return new Outcome(fits, race.racing().size(), winner, chosen, good);
    }

    static double[][] draw(Grid g, Random random) {
        int v = g.variants().size();
        double[][] x = new double[v][g.folds()];
        for (int f = 0; f < g.folds(); f++) {
            double z = random.nextGaussian();
            for (int i = 0; i < v; i++) {
                double e = random.nextGaussian();
                x[i][f] = g.mean()[i] + g.sd()[i] * (Math.sqrt(g.rho()) * z + Math.sqrt(1 - g.rho()) * e);
            }
        }
        return x;
    }

    /** results.csv: the metric's column by model and fold (one shuffle: the fold is the replicate's index). */
    static Grid read(Path csv, String metric) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        int model = header.indexOf("model");
        int fold = header.indexOf("fold");
        int column = header.indexOf(metric);
        if (model < 0 || fold < 0 || column < 0) {
            throw new IOException(csv + " has no columns model, fold and " + metric);
        }
        Map<String, TreeMap<Integer, Double>> byModel = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (!cells[column].isEmpty()) {
                byModel.computeIfAbsent(cells[model], m -> new TreeMap<>())
                        .put(Integer.parseInt(cells[fold]), Double.parseDouble(cells[column]));
            }
        }
        List<String> variants = List.copyOf(byModel.keySet());
        int folds = byModel.values().stream().mapToInt(TreeMap::size).min().orElse(0);
        double[][] observed = new double[variants.size()][folds];
        double[] mean = new double[variants.size()];
        double[] sd = new double[variants.size()];
        for (int i = 0; i < variants.size(); i++) {
            TreeMap<Integer, Double> values = byModel.get(variants.get(i));
            int f = 0;
            for (double y : values.values()) {
                if (f < folds) {
                    observed[i][f++] = y;
                }
            }
            mean[i] = Arrays.stream(observed[i]).average().orElse(0);
            double ss = 0;
            for (double y : observed[i]) {
                ss += (y - mean[i]) * (y - mean[i]);
            }
            sd[i] = Math.sqrt(ss / (folds - 1));
        }
        // the mean Pearson correlation of two variants' results across the folds: how much a fold moves all
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < variants.size(); a++) {
            for (int b = a + 1; b < variants.size(); b++) {
                double c = 0;
                for (int f = 0; f < folds; f++) {
                    c += (observed[a][f] - mean[a]) * (observed[b][f] - mean[b]);
                }
                if (sd[a] > 0 && sd[b] > 0) {
                    sum += c / (folds - 1) / (sd[a] * sd[b]);
                    pairs++;
                }
            }
        }
        double rho = pairs == 0 ? 0 : Math.max(0, Math.min(0.99, sum / pairs));
        return new Grid(variants, mean, sd, rho, folds, observed);
    }
}
