package io.isofold.supervisor.report;

import static io.isofold.supervisor.report.Html.escape;

import io.isofold.supervisor.journal.JournalEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The race (--race) on the page: each variant's running mean on the raced metric after 1, 2, ... folds, with
 * its 95 % interval, and a cross where the race cut it; then a table of who finished, who was eliminated when,
 * against whom, with what p. Variants still in the race are drawn in colour, eliminated ones in grey.
 */
final class RaceChart {
    private static final int WIDTH = 1300;
    private static final int HEIGHT = 360;
    private static final int LEFT = 60;
    private static final int RIGHT = 16;
    private static final int TOP = 16;
    private static final int BOTTOM = 40;
    private static final String ELIMINATED_COLOUR = "#b0b0b0";
    private static final String CUT_COLOUR = "#d62728";
    private static final List<String> COLOURS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
            "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173");

    private RaceChart() {}

    /** The page's race section; empty when the run does not race. */
    static String section(RunView view, Summary summary) {
        RaceSummary race = summary.race();
        if (race == null) {
            return "";
        }
        StringBuilder html = new StringBuilder("<section><h2>Race");
        if (race.metric() != null) {
            html.append(" on ").append(escape(race.metric()));
        }
        html.append(" <small>running mean per fold with its 95% CI; × = eliminated there</small></h2>\n")
                .append("<p class=\"note\">After a burn-in of ").append(race.burnIn())
                .append(" folds, and after every further fold all variants still racing completed, each is compared"
                        + " with the current best by a one-sided paired t-test on the folds both completed; p &lt; ")
                .append(race.alpha()).append(" eliminates it. ").append(race.eliminatedCount()).append(" of ")
                .append(race.variants().size()).append(" variants eliminated, ").append(race.attemptsSaved())
                .append(" of ").append(race.fullGrid()).append(" replicates not run. The ranking holds the variants"
                        + " not eliminated only.</p>\n");
        Map<String, TreeMap<Integer, Double>> values = values(view, race.metric());
        Map<String, String> colours = colours(race);
        html.append(chart(race, values, colours)).append(table(race, summary, colours));
        return html.append("</section>\n").toString();
    }

    /** The raced metric of each variant's completed replicates, by replicate index. */
    static Map<String, TreeMap<Integer, Double>> values(RunView view, String metric) {
        Map<String, TreeMap<Integer, Double>> values = new LinkedHashMap<>();
        if (metric == null) {
            return values;
        }
        for (AttemptView a : Summary.completedByReplicate(view.attempts()).values()) {
            Double v = a.metrics().get(metric);
            if (v != null && Double.isFinite(v)) {
                values.computeIfAbsent(a.model(), m -> new TreeMap<>()).put(a.index(), v);
            }
        }
        return values;
    }

    /** The mean and the 95 % interval of the values below each fold count, for fold counts 1..last index + 1. */
    static List<double[]> runningMeans(TreeMap<Integer, Double> values) {
        List<double[]> points = new ArrayList<>();
        if (values.isEmpty()) {
            return points;
        }
        List<Double> seen = new ArrayList<>();
        for (int k = 1; k <= values.lastKey() + 1; k++) {
            Double v = values.get(k - 1);
            if (v == null) {
                continue; // a replicate given up or still to come: no point at this fold count
            }
            seen.add(v);
            MetricStats st = MetricStats.of(seen);
            points.add(new double[] {k, st.mean(), st.ci95Low() == null ? st.mean() : st.ci95Low(),
                    st.ci95High() == null ? st.mean() : st.ci95High()});
        }
        return points;
    }

    private static Map<String, String> colours(RaceSummary race) {
        Map<String, String> colours = new LinkedHashMap<>();
        int i = 0;
        for (RaceSummary.Variant v : race.variants()) {
            colours.put(v.name(), v.elimination() != null ? ELIMINATED_COLOUR : COLOURS.get(i++ % COLOURS.size()));
        }
        return colours;
    }

    private static String chart(RaceSummary race, Map<String, TreeMap<Integer, Double>> values,
            Map<String, String> colours) {
        Map<String, List<double[]>> lines = new LinkedHashMap<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int folds = 1;
        for (RaceSummary.Variant v : race.variants()) {
            List<double[]> points = runningMeans(values.getOrDefault(v.name(), new TreeMap<>()));
            lines.put(v.name(), points);
            for (double[] p : points) {
                // the first folds' intervals are wide: they would flatten every line, so the axis follows the means
                lo = Math.min(lo, p[1]);
                hi = Math.max(hi, p[1]);
                folds = Math.max(folds, (int) p[0]);
            }
        }
        if (lo > hi) {
            return "<p class=\"empty\">No replicate has reported " + escape(String.valueOf(race.metric()))
                    + " yet.</p>\n";
        }
        double pad = (hi - lo) * 0.15;
        Axis y = new Axis(lo - pad, hi + pad, HEIGHT - BOTTOM, TOP);
        Axis x = new Axis(0.5, folds + 0.5, LEFT, WIDTH - RIGHT);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart race\" viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\" aria-label=\"race: running"
                        + " mean per fold\">\n", WIDTH, HEIGHT, WIDTH));
        List<Double> yTicks = y.ticks(6);
        double yStep = yTicks.size() > 1 ? yTicks.get(1) - yTicks.get(0) : 1;
        for (double t : yTicks) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>\n", LEFT,
                    y.pixel(t), WIDTH - RIGHT, y.pixel(t), LEFT - 5, y.pixel(t) + 4, Axis.label(t, yStep)));
        }
        for (int k = 1; k <= folds; k++) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%d"
                    + "</text>\n", x.pixel(k), HEIGHT - BOTTOM + 16, k));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis-title\">"
                + "folds completed</text>\n", x.pixel((folds + 1) / 2.0), HEIGHT - 6));
        // eliminated variants first, so the ones still racing are drawn over them
        List<RaceSummary.Variant> order = new ArrayList<>(race.variants());
        order.sort((a, b) -> Boolean.compare(a.elimination() == null, b.elimination() == null));
        int n = race.variants().size();
        for (RaceSummary.Variant v : order) {
            List<double[]> points = lines.get(v.name());
            if (points.isEmpty()) {
                continue;
            }
            // a small sideways offset per variant keeps the intervals of close variants apart
            double dodge = (race.variants().indexOf(v) - (n - 1) / 2.0) * Math.min(3, 36.0 / Math.max(1, n));
            String colour = colours.get(v.name());
            svg.append("<g class=\"race-variant\"><title>").append(escape(v.name() + ": "
                    + RaceSummary.describe(v))).append("</title>");
            StringBuilder polyline = new StringBuilder();
            for (double[] p : points) {
                double px = x.pixel(p[0]) + dodge;
                polyline.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, y.pixel(p[1])));
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                                + " stroke=\"%s\" stroke-opacity=\"0.45\" stroke-width=\"1.5\"/>", px, inside(y.pixel(p[2])),
                        px, inside(y.pixel(p[3])), colour));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"%s\"/>", polyline.toString().strip(), colour,
                    v.elimination() == null ? "2" : "1.2"));
            JournalEvent.Eliminated e = v.elimination();
            if (e != null) {
                double[] at = points.stream().filter(p -> p[0] <= e.afterFolds()).reduce((a, b) -> b)
                        .orElse(points.get(0));
                double cx = x.pixel(at[0]) + dodge;
                double cy = y.pixel(at[1]);
                svg.append(String.format(Locale.ROOT, "<path class=\"race-cut\" d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f"
                        + " %.1f\" stroke=\"%s\" stroke-width=\"2\"/>", cx - 4, cy - 4, cx + 4, cy + 4, cx - 4, cy + 4,
                        cx + 4, cy - 4, CUT_COLOUR));
            }
            svg.append("</g>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    /** An interval's end kept inside the plot: after two folds it can be many times wider than the means' range. */
    private static double inside(double pixel) {
        return Math.max(TOP, Math.min(HEIGHT - BOTTOM, pixel));
    }

    /** Those not eliminated in ranking order, then the eliminated ones in the order they were cut. */
    private static String table(RaceSummary race, Summary summary, Map<String, String> colours) {
        StringBuilder html = new StringBuilder("<table class=\"stats race-table\"><thead><tr><th>rank</th>"
                + "<th>variant</th><th>race</th><th>folds run</th>");
        if (race.metric() != null) {
            html.append("<th>").append(escape(race.metric())).append("<br><small>mean ± std</small></th>");
        }
        html.append("<th>eliminated after</th><th>compared with</th><th>pairs</th><th>t</th><th>p</th></tr></thead>"
                + "<tbody>\n");
        List<RaceSummary.Variant> rows = new ArrayList<>();
        race.ranking().forEach(name -> rows.add(race.variant(name)));
        race.variants().stream().filter(v -> v.elimination() != null)
                .sorted(java.util.Comparator.comparingInt(v -> v.elimination().afterFolds()))
                .forEach(rows::add);
        int rank = 0;
        for (RaceSummary.Variant v : rows) {
            JournalEvent.Eliminated e = v.elimination();
            html.append("<tr class=\"race-").append(v.status()).append("\"><td class=\"num\">")
                    .append(e == null ? String.valueOf(++rank) : "").append("</td><td><span class=\"key\"><i style=\""
                            + "background:").append(colours.get(v.name())).append("\"></i>").append(escape(v.name()))
                    .append("</span></td><td>").append(escape(v.status())).append("</td><td class=\"num\">")
                    .append(v.foldsRun()).append("</td>");
            if (race.metric() != null) {
                MetricStats st = summary.models().get(v.name()).metrics().get(race.metric());
                html.append("<td class=\"num\">").append(st == null ? "" : escape(SummaryTable.meanStd(st)))
                        .append("</td>");
            }
            if (e == null) {
                html.append("<td></td><td></td><td></td><td></td><td></td>");
            } else {
                html.append("<td class=\"num\">").append(e.afterFolds()).append(e.afterFolds() == 1 ? " fold" : " folds")
                        .append("</td><td>").append(escape(e.best())).append("</td><td class=\"num\">").append(e.folds())
                        .append("</td><td class=\"num\">").append(e.statistic() == null ? "∞"
                                : String.format(Locale.ROOT, "%.2f", e.statistic()))
                        .append("</td><td class=\"num\">").append(escape(Numbers.pNumber(e.p()))).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody></table>\n").toString();
    }
}
