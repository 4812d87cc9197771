package io.isofold.supervisor.report;

import static io.isofold.supervisor.report.Html.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The final value of one metric per model: every replicate as a dot, a box of the quartiles, and the mean
 * with its 95% interval. Rows share one x axis, so overlapping intervals are visible as overlap; they are in the
 * leaderboard's order, best first, the best marked. A model's name is never cut: the label column widens for
 * long names, up to a limit, and a name longer than that wraps onto more lines.
 */
final class DistributionChart {
    private static final int WIDTH = 1300;
    private static final int MIN_LEFT = 130;
    private static final int MAX_LEFT = 420;
    private static final int RIGHT = 330;
    private static final int ROW = 64;
    private static final int LABEL_LINE = 15;
    private static final int TOP = 10;
    private static final int AXIS = 40;

    private DistributionChart() {}

    /** The run's primary metric: the first --metric reported, else val_accuracy, else the first; null when none. */
    static String metricOf(Summary s) {
        return s.primaryMetric();
    }

    /** Dots drawn at most per model. */
    static final int MAX_DOTS = 2000;

    static String render(Summary s, List<AttemptView> completed) {
        String metric = metricOf(s);
        if (metric == null) {
            return "<p class=\"empty\">No completed replicate yet.</p>\n";
        }
        List<String> models = s.ranking();
        int longest = models.stream().mapToInt(String::length).max().orElse(0);
        int left = (int) Math.max(MIN_LEFT, Math.min(MAX_LEFT, Math.ceil(longest * Labels.CHAR_PX) + 24));
        int chars = Labels.fit(left - 24);
        List<List<String>> labels = new ArrayList<>();
        int[] rowTop = new int[models.size() + 1];
        rowTop[0] = TOP;
        for (int i = 0; i < models.size(); i++) {
            List<String> lines = Labels.wrap(models.get(i), chars);
            labels.add(lines);
            int marks = models.get(i).equals(s.best()) ? 1 : 0;
            rowTop[i + 1] = rowTop[i] + Math.max(ROW, (lines.size() + marks) * LABEL_LINE + 30);
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (AttemptView a : completed) {
            Double v = a.metrics().get(metric);
            if (v != null && Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        for (ModelSummary m : s.models().values()) {
            MetricStats st = m.metrics().get(metric);
            if (st != null && st.ci95Low() != null) {
                lo = Math.min(lo, st.ci95Low());
                hi = Math.max(hi, st.ci95High());
            }
        }
        double pad = (hi - lo) * 0.06;
        Axis x = new Axis(lo - pad, hi + pad, left, WIDTH - RIGHT);
        int axisY = rowTop[models.size()];
        int height = axisY + AXIS;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg id=\"distribution\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\""
                        + " aria-label=\"%s per model\">\n", WIDTH, height, escape(metric)));
        List<Double> ticks = x.ticks(8);
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 1;
        for (double t : ticks) {
            double px = x.pixel(t);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%s</text>\n",
                    px, TOP, px, axisY + 4, px, axisY + 17, Axis.label(t, step)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis-title\">%s (%s)</text>\n",
                (left + WIDTH - RIGHT) / 2, axisY + 34, escape(metric), escape(s.direction(metric).phrase())));

        for (int row = 0; row < models.size(); row++) {
            String model = models.get(row);
            double mid = (rowTop[row] + rowTop[row + 1]) / 2.0;
            List<Double> values = new ArrayList<>();
            for (AttemptView a : completed) {
                Double v = a.metrics().get(metric);
                if (model.equals(a.model()) && v != null && Double.isFinite(v)) {
                    values.add(v);
                }
            }
            values.sort(null);
            svg.append(label(model, labels.get(row), model.equals(s.best()), left - 12, mid));
            if (values.isEmpty()) {
                continue;
            }
            double q1 = quantile(values, 0.25);
            double median = quantile(values, 0.5);
            double q3 = quantile(values, 0.75);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"whisker\"/>"
                            + "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\"/>"
                            + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"median\"/>\n",
                    x.pixel(values.get(0)), mid - 6, x.pixel(values.get(values.size() - 1)), mid - 6,
                    x.pixel(q1), mid - 17, Math.max(1, x.pixel(q3) - x.pixel(q1)),
                    x.pixel(median), mid - 17, x.pixel(median), mid + 5));
            // dots are thinned evenly beyond MAX_DOTS a model (the box and the mean still use every replicate):
            // 100,000 dots made a page no browser draws and a report the supervisor's heap could not hold
            int stride = Math.max(1, (values.size() + MAX_DOTS - 1) / MAX_DOTS);
            int seen = 0;
            for (AttemptView a : completed) {
                Double v = a.metrics().get(metric);
                if (!model.equals(a.model()) || v == null || !Double.isFinite(v) || seen++ % stride != 0) {
                    continue;
                }
                // a fixed jitter per replicate: dots do not hide each other, and do not move between rewrites
                double jitter = (Math.floorMod(a.replicate() * 7919, 13) - 6) * 1.4;
                svg.append(String.format(Locale.ROOT,
                        "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>%s</title></circle>\n",
                        x.pixel(v), mid - 6 + jitter, escape("replicate " + a.replicate() + " (fold " + a.fold()
                                + "): " + metric + " = " + Numbers.exact(v))));
            }
            MetricStats st = s.models().get(model).metrics().get(metric);
            if (st == null) {
                continue;
            }
            double meanY = mid + 14;
            if (st.ci95Low() != null) {
                svg.append(String.format(Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"ci\"/>", x.pixel(st.ci95Low()),
                        meanY, x.pixel(st.ci95High()), meanY));
            }
            double mx = x.pixel(st.mean());
            svg.append(String.format(Locale.ROOT,
                    "<path class=\"mean\" d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\"><title>%s</title></path>\n",
                    mx, meanY - 5, escape(meanTooltip(st))));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"row-stats\">%s</text>\n",
                    WIDTH - RIGHT + 16, mid + 5, escape(describe(st))));
        }
        return svg.append("</svg>\n").toString();
    }

    /** A model's name, whole, over as many lines as it takes, centred on its row; "best" under the best's. */
    private static String label(String model, List<String> lines, boolean best, int right, double mid) {
        int count = lines.size() + (best ? 1 : 0);
        double first = mid + 5 - (count - 1) * LABEL_LINE / 2.0;
        StringBuilder text = new StringBuilder("<text text-anchor=\"end\" class=\"model-label\"><title>")
                .append(escape(model)).append("</title>");
        for (int i = 0; i < lines.size(); i++) {
            text.append(String.format(Locale.ROOT, "<tspan x=\"%d\" y=\"%.1f\">%s</tspan>", right,
                    first + i * LABEL_LINE, escape(lines.get(i))));
        }
        text.append("</text>");
        if (best) {
            text.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"best-label\">"
                    + "\u2605 best</text>", right, first + lines.size() * LABEL_LINE));
        }
        return text.append('\n').toString();
    }

    /** Digits to the std's third significant one: 0.9200, not 0.9199999999999999. */
    static String meanTooltip(MetricStats st) {
        double scale = st.std() != null && st.std() > 0 ? st.std() / 10 : st.mean();
        String text = "mean " + Numbers.fixed(st.mean(), scale);
        if (st.std() != null) {
            text += " \u00b1 " + Numbers.fixed(st.std(), scale) + " std";
        }
        if (st.ci95Low() != null) {
            text += ", 95% CI [" + Numbers.fixed(st.ci95Low(), scale) + ", " + Numbers.fixed(st.ci95High(), scale) + "]";
        }
        return text + ", n=" + st.n();
    }

    static String describe(MetricStats st) {
        double scale = st.mean();
        String text = "n=" + st.n() + " · mean " + Numbers.fixed(st.mean(), scale);
        if (st.ci95Low() != null) {
            text += " · 95% CI [" + Numbers.fixed(st.ci95Low(), scale) + ", " + Numbers.fixed(st.ci95High(), scale)
                    + "]";
        }
        return text;
    }

    /** Linear interpolation between order statistics (R's type 7, numpy's default). */
    static double quantile(List<Double> sorted, double q) {
        double pos = q * (sorted.size() - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.size() - 1);
        return sorted.get(i) + (pos - i) * (sorted.get(j) - sorted.get(i));
    }
}
