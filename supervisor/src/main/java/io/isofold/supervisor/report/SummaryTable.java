package io.isofold.supervisor.report;

import io.isofold.supervisor.spec.MetricDirection;
import io.isofold.supervisor.text.TerminalText;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain-text table printed at the end of a run: a reader should know in five seconds which model did
 * what and whether the gap between them is real. Everything else is in summary.json and report.html.
 */
public final class SummaryTable {
    /** More columns than this stop being readable at a glance; the rest are in summary.json. */
    static final int MAX_METRICS = 4;

    private SummaryTable() {}

    /** Params shown as columns at most; the rest are in results.csv and summary.json. */
    static final int MAX_PARAMS = 4;

    /** The table with the comparisons of each variant against the best. */
    public static String render(Summary s) {
        return render(s, false);
    }

    /**
     * @param allPairs compare every pair of variants (Holm's adjustment over all of them) instead of each against
     *                 the best ({@code report DIR --all-pairs})
     */
    public static String render(Summary s, boolean allPairs) {
        StringBuilder out = new StringBuilder();
        out.append(s.completed()).append('/').append(s.required()).append(" replicates completed, ")
                .append(s.attempts()).append(s.attempts() == 1 ? " attempt" : " attempts")
                .append(" (").append(s.failedAttempts()).append(" failed");
        if (s.runningAttempts() > 0) {
            out.append(", ").append(s.runningAttempts()).append(" running");
        }
        out.append("), ").append(s.state().word());
        RaceSummary race = s.race();
        if (race != null) {
            out.append("; the race left ").append(race.attemptsSaved()).append(" of ").append(race.fullGrid())
                    .append(" replicates unrun");
        }
        out.append('\n');
        if (s.continuedAttempts() > 0) {
            out.append(continuedLine(s)).append('\n');
        }

        List<String> metrics = s.metricNames().subList(0, Math.min(MAX_METRICS, s.metricNames().size()));
        List<String> params = s.variedParams();
        List<String> shownParams = params.subList(0, Math.min(MAX_PARAMS, params.size()));
        boolean ranked = s.best() != null && s.models().size() > 1;
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        if (ranked) {
            header.add("#");
        }
        header.add("model");
        shownParams.forEach(p -> header.add(s.paramLabel(p)));
        header.add("n");
        if (race != null) {
            header.add("race");
        }
        for (String metric : metrics) {
            header.add(metric + " " + s.direction(metric).arrow());
        }
        rows.add(header);
        int rank = 0;
        for (ModelSummary m : s.rankedModels()) {
            List<String> row = new ArrayList<>();
            if (ranked) {
                // the race's eliminated variants and those with no value yet are not placed
                boolean placed = !s.eliminated(m.name()) && m.metrics().containsKey(s.primaryMetric());
                rank += placed ? 1 : 0;
                row.add(m.name().equals(s.best()) ? "best" : placed ? String.valueOf(rank) : "-");
            }
            row.add(m.name());
            for (String p : shownParams) {
                row.add(m.params().getOrDefault(p, "-"));
            }
            row.add(m.completed() + "/" + m.requested());
            if (race != null) {
                row.add(RaceSummary.describe(race.variant(m.name())));
            }
            for (String metric : metrics) {
                MetricStats st = m.metrics().get(metric);
                row.add(st == null ? "-" : meanStd(st));
            }
            rows.add(row);
        }
        out.append(columns(rows));
        if (!metrics.isEmpty()) {
            out.append(legend(s, metrics, ranked)).append('\n');
        }
        if (s.metricNames().size() > metrics.size() || params.size() > shownParams.size()) {
            List<String> more = new ArrayList<>();
            int moreMetrics = s.metricNames().size() - metrics.size();
            if (moreMetrics > 0) {
                more.add(moreMetrics + (moreMetrics == 1 ? " more metric" : " more metrics"));
            }
            int moreParams = params.size() - shownParams.size();
            if (moreParams > 0) {
                more.add(moreParams + (moreParams == 1 ? " more param" : " more params"));
            }
            out.append("(").append(String.join(" and ", more)).append(" in summary.json)\n");
        }

        if (race != null) {
            out.append(raceLine(race)).append('\n');
        }
        List<String> compared = comparedMetrics(s);
        if (allPairs) {
            if (!s.comparisons().isEmpty()) {
                out.append("every pair (paired by fold, corrected resampled t-test; p adjusted by Holm's method over"
                        + " the ").append(s.comparisons().size()).append(s.comparisons().size() == 1 ? " pair" : " pairs")
                        .append(" of each metric):\n");
            }
            for (ModelComparison c : s.allPairsAdjusted(compared)) {
                for (String metric : compared) {
                    PairedComparison p = c.metrics().get(metric);
                    if (p != null) {
                        out.append(TerminalText.oneLine(comparisonLine(c, p))).append('\n');
                    }
                }
            }
        } else if (!s.vsBest().isEmpty()) {
            out.append(TerminalText.oneLine(vsBestHeader(s, compared))).append('\n');
            for (ModelComparison c : s.vsBest()) {
                for (String metric : compared) {
                    PairedComparison p = c.metrics().get(metric);
                    if (p != null) {
                        out.append(TerminalText.oneLine(comparisonLine(c, p))).append('\n');
                    }
                }
            }
        }
        for (String note : s.notes()) {
            out.append("note: ").append(TerminalText.oneLine(note)).append('\n');
        }
        return out.toString();
    }

    /**
     * e.g. {@code vs the best, cnn (paired by fold, corrected resampled t-test; 3 comparisons per metric, p
     * adjusted by Holm's method; every pair: report DIR --all-pairs):}
     */
    static String vsBestHeader(Summary s, List<String> metrics) {
        int n = metrics.stream().mapToInt(s::comparedWithBest).max().orElse(0);
        StringBuilder line = new StringBuilder("vs the best, ").append(s.best())
                .append(" (paired by fold, corrected resampled t-test; ").append(n)
                .append(n == 1 ? " comparison" : " comparisons").append(metrics.size() > 1 ? " per metric" : "")
                .append(n > 1 ? ", p adjusted by Holm's method" : ": no correction for multiple comparisons needed");
        if (s.models().size() > 2) {
            line.append("; every pair: report DIR --all-pairs");
        }
        return line.append("):").toString();
    }

    /** e.g. {@code 3 attempts continued from checkpoints, 1h05m of training not done again}. */
    static String continuedLine(Summary s) {
        int n = s.continuedAttempts();
        return n + (n == 1 ? " attempt" : " attempts") + " continued from checkpoints"
                + (s.trainingSecondsSaved() > 0 ? ", " + Numbers.duration(s.trainingSecondsSaved())
                        + " of training not done again" : "");
    }

    /**
     * e.g. {@code race on val_accuracy ↑ (burn-in 3, alpha 0.05): 3 of 16 variants finished, 13 eliminated;
     * best of those not eliminated: mlp-b}. Never an eliminated variant as the best.
     */
    public static String raceLine(RaceSummary race) {
        StringBuilder line = new StringBuilder("race");
        if (race.metric() != null) {
            line.append(" on ").append(race.metric()).append(' ').append(race.arrow());
        }
        line.append(" (burn-in ").append(race.burnIn()).append(", alpha ").append(race.alpha()).append("): ");
        int total = race.variants().size();
        int racing = total - race.finishedCount() - race.eliminatedCount();
        line.append(race.finishedCount()).append(" of ").append(total).append(total == 1 ? " variant" : " variants")
                .append(" finished, ").append(race.eliminatedCount()).append(" eliminated");
        if (racing > 0) {
            line.append(", ").append(racing).append(" racing");
        }
        if (!race.ranking().isEmpty() && race.metric() != null && race.best().containsKey(race.metric())) {
            line.append("; best of those not eliminated: ").append(race.best().get(race.metric()));
        }
        return line.toString();
    }

    /**
     * The metrics a comparison line is printed for: the --metric ones when given, else the primary one (the one
     * the best is chosen by): a line per variant and metric made 18 lines of 4 variants.
     */
    static List<String> comparedMetrics(Summary s) {
        List<String> named = s.metricNames().stream().filter(m -> s.goals().named(m)).toList();
        if (!named.isEmpty()) {
            return named;
        }
        return s.primaryMetric() == null ? List.of() : List.of(s.primaryMetric());
    }

    /** Says how the rows are sorted, what the cells and the arrows mean, and how to set a guessed direction. */
    static String legend(Summary s, List<String> shown, boolean ranked) {
        StringBuilder line = new StringBuilder("(");
        if (ranked) {
            line.append("sorted by ").append(s.primaryMetric()).append(", best first; ");
        }
        line.append("mean \u00b1 std over replicates; \u2191/\u2193 higher/lower is better");
        if (shown.stream().anyMatch(m -> s.direction(m).guessed())) {
            line.append(", ? = guessed: set with --metric NAME:min|max");
        }
        return line.append(')').toString();
    }

    /**
     * e.g. {@code cnn vs mlp: val_accuracy +0.031 [0.018, 0.044], p=0.002, n=5 -> cnn ahead, more than noise},
     * with {@code (guessed: higher is better)} at the end when the winner rests on a guessed direction; with
     * {@code , Holm p=0.006} after the p when it was adjusted for other comparisons (and the verdict by it).
     */
    static String comparisonLine(ModelComparison c, PairedComparison p) {
        MetricDirection d = c.direction(p.metric());
        String guess = d.guessed() && p.n() >= 2 && p.meanDifference() != 0
                ? " (guessed: " + d.better() + " is better)" : "";
        StringBuilder line = new StringBuilder(c.modelA()).append(" vs ").append(c.modelB()).append(": ")
                .append(p.metric()).append(' ');
        if (p.ci95Low() == null) {
            return line.append("-> ").append(c.verdict(p)).append(guess).toString();
        }
        double scale = Math.max(Math.abs(p.ci95Low()), Math.abs(p.ci95High()));
        line.append(Numbers.signed(p.meanDifference(), scale))
                .append(" [").append(Numbers.fixed(p.ci95Low(), scale)).append(", ")
                .append(Numbers.fixed(p.ci95High(), scale)).append("], ")
                .append(Numbers.pValue(p.pValue()))
                .append(c.adjustedP(p.metric()) != null ? ", Holm " + Numbers.pValue(c.adjustedP(p.metric())) : "")
                .append(", n=").append(p.n())
                .append(" -> ").append(c.verdict(p)).append(guess);
        return line.toString();
    }

    static String meanStd(MetricStats st) {
        if (st.std() == null) {
            return Numbers.fixed(st.mean(), st.mean());
        }
        return Numbers.fixed(st.mean(), st.mean()) + " ± " + Numbers.fixed(st.std(), st.mean());
    }

    /** Names in the cells come from users and workers: each stays in its cell, whatever it holds. */
    private static String columns(List<List<String>> cells) {
        List<List<String>> rows = cells.stream().map(r -> r.stream().map(TerminalText::oneLine).toList()).toList();
        int[] width = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == 0 ? "" : "  ").append(row.get(i)).append(" ".repeat(width[i] - row.get(i).length()));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
