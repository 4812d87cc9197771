package io.isofold.supervisor.report;

import static io.isofold.supervisor.report.Html.escape;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Each metric the progress files report per epoch, one line per replicate, one panel per model on a shared y
 * axis: shows whether models converged, overfit, or whether one replicate went astray. A few metrics at most,
 * one block each; the page's script shows the one chosen in a menu (without scripts, all of them).
 */
final class CurvesChart {
    /** Panels share the page's 1300 px: wide when there are few models, three to a row from three on. */
    private static final int PAGE_WIDTH = 1300;
    private static final int GAP = 8;
    private static final int PLOT_HEIGHT = 244;
    private static final int LEFT = 52;
    private static final int RIGHT = 12;
    private static final int TITLE_LINE = 15;
    private static final int BOTTOM = 36;
    /** Metrics drawn at most (the first in display order); a progress file may report many. */
    static final int MAX_METRICS = 6;
    /** Line colour by fold (Tableau 10 without its green and red, which mean completed and failed elsewhere). */
    static final List<String> FOLD_COLOURS = List.of("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939");

    private CurvesChart() {}

    /** The metrics drawn: those the curves have, in the run's display order, at most {@value #MAX_METRICS}. */
    static List<String> metrics(List<LearningCurve> curves, MetricGoals goals, String primary) {
        Set<String> reported = new LinkedHashSet<>();
        curves.forEach(c -> reported.addAll(c.series().keySet()));
        List<String> ordered = new ArrayList<>();
        // the primary metric first when the progress files have it: the one the leaderboard ranks by
        if (primary != null && reported.contains(primary)) {
            ordered.add(primary);
        }
        for (String m : goals.displayOrder(reported)) {
            if (!ordered.contains(m)) {
                ordered.add(m);
            }
        }
        return ordered.subList(0, Math.min(MAX_METRICS, ordered.size()));
    }

    /** The menu that picks the metric shown; nothing with fewer than two metrics. */
    static String selector(List<String> metrics) {
        if (metrics.size() < 2) {
            return "";
        }
        StringBuilder html = new StringBuilder("<label>metric <select id=\"curve-metric\">");
        for (String m : metrics) {
            html.append("<option value=\"").append(escape(m)).append("\">").append(escape(m)).append("</option>");
        }
        return html.append("</select></label>").toString();
    }

    static String render(List<String> models, List<LearningCurve> curves, List<String> metrics) {
        if (metrics.isEmpty()) {
            return "<div class=\"panels\"><p class=\"empty\">No epoch with a figure reported yet.</p></div>\n";
        }
        StringBuilder html = new StringBuilder();
        for (String metric : metrics) {
            html.append("<div class=\"curve-metric\" data-metric=\"").append(escape(metric)).append("\">")
                    .append("<h3>").append(escape(metric)).append(" per epoch</h3>\n")
                    .append(render(models, curves, metric)).append("</div>\n");
        }
        return html.toString();
    }

    /** One metric's panels. */
    static String render(List<String> models, List<LearningCurve> curves, String metric) {
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        double maxEpoch = 1;
        double minEpoch = Double.POSITIVE_INFINITY;
        for (LearningCurve c : curves) {
            for (double[] p : c.points(metric)) {
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
                maxEpoch = Math.max(maxEpoch, p[0]);
                minEpoch = Math.min(minEpoch, p[0]);
            }
        }
        StringBuilder html = new StringBuilder("<div class=\"panels\">\n");
        if (minY > maxY) {
            return html.append("<p class=\"empty\">No epoch with a ").append(escape(metric))
                    .append(" reported yet.</p></div>\n").toString();
        }
        int width = PAGE_WIDTH / Math.max(1, Math.min(3, models.size())) - GAP;
        // the names wrap, never cut: every panel of the row gets as many title lines as the longest needs
        int chars = Labels.fit(width - LEFT - RIGHT - 70);
        int titleLines = models.stream().mapToInt(m -> Labels.wrap(m, chars).size()).max().orElse(1);
        int top = 11 + TITLE_LINE * titleLines;
        int height = top + PLOT_HEIGHT;
        double pad = (maxY - minY) * 0.05;
        Axis y = new Axis(minY - pad, maxY + pad, height - BOTTOM, top);
        // epochs counted from 0 or from 1, whichever the worker writes
        Axis x = new Axis(minEpoch, Math.max(maxEpoch, minEpoch + 1), LEFT, width - RIGHT);
        for (String model : models) {
            List<LearningCurve> ofModel = new ArrayList<>();
            for (LearningCurve c : curves) {
                if (model.equals(c.attempt().model()) && !c.points(metric).isEmpty()) {
                    ofModel.add(c);
                }
            }
            html.append(panel(model, metric, ofModel, x, y, width, height, top, chars));
        }
        return html.append("</div>\n").toString();
    }

    private static String panel(String model, String metric, List<LearningCurve> curves, Axis x, Axis y, int width,
            int height, int top, int chars) {
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart curve-panel\" viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\""
                        + " aria-label=\"%s per epoch\">\n", width, height, width, escape(metric)));
        svg.append("<text class=\"panel-title\"><title>").append(escape(model)).append("</title>");
        List<String> lines = Labels.wrap(model, chars);
        for (int i = 0; i < lines.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<tspan x=\"%d\" y=\"%d\">%s</tspan>", LEFT, 16 + i * TITLE_LINE,
                    escape(lines.get(i))));
        }
        svg.append("</text>");
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"16\" text-anchor=\"end\" class=\"tick\">%d %s</text>\n", width - RIGHT,
                curves.size(), curves.size() == 1 ? "curve" : "curves"));
        List<Double> yTicks = y.ticks(5);
        double yStep = yTicks.size() > 1 ? yTicks.get(1) - yTicks.get(0) : 1;
        for (double t : yTicks) {
            double py = y.pixel(t);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>\n",
                    LEFT, py, width - RIGHT, py, LEFT - 5, py + 4, Axis.label(t, yStep)));
        }
        List<Double> xTicks = x.ticks(6);
        double xStep = Math.max(1, xTicks.size() > 1 ? xTicks.get(1) - xTicks.get(0) : 1);
        for (double t : xTicks) {
            if (t != Math.rint(t)) {
                continue; // epochs are whole
            }
            double px = x.pixel(t);
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%s</text>\n",
                    px, height - BOTTOM + 15, Axis.label(t, xStep)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis-title\">epoch</text>"
                        + "<text transform=\"translate(12 %d) rotate(-90)\" text-anchor=\"middle\""
                        + " class=\"axis-title\">%s</text>\n",
                (LEFT + width - RIGHT) / 2, height - 6, (top + height - BOTTOM) / 2, escape(metric)));
        if (curves.isEmpty()) {
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"empty\">no epochs yet</text>\n",
                    (LEFT + width - RIGHT) / 2, (top + height - BOTTOM) / 2));
        }
        for (LearningCurve c : curves) {
            AttemptView a = c.attempt();
            List<double[]> points = c.points(metric);
            String colour = FOLD_COLOURS.get(Math.floorMod(a.fold(), FOLD_COLOURS.size()));
            StringBuilder line = new StringBuilder();
            for (double[] p : points) {
                Numbers.pixel(line, x.pixel(p[0])).append(',');
                Numbers.pixel(line, y.pixel(p[1])).append(' ');
            }
            double[] last = points.get(points.size() - 1);
            String title = escape("replicate " + a.replicate() + ", fold " + a.fold() + ", attempt " + a.attempt()
                    + (a.running() ? " (running)" : "") + ": " + metric + " " + Numbers.exact(last[1])
                    + " at epoch " + (long) last[0]);
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"curve\"><title>%s</title><polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                            + " stroke-width=\"1.6\" stroke-opacity=\"0.85\"%s/>"
                            + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/></g>\n",
                    title, line.toString().trim(), colour, a.running() ? " stroke-dasharray=\"4 3\"" : "",
                    x.pixel(last[0]), y.pixel(last[1]), colour));
        }
        return svg.append("</svg>\n").toString();
    }

    /** The legend under the panels: what colour and dashes mean. */
    static String key(int folds) {
        StringBuilder html = new StringBuilder("<div class=\"legend\">colour = fold: ");
        for (int f = 0; f < Math.min(folds, FOLD_COLOURS.size()); f++) {
            html.append("<span class=\"key\"><i style=\"background:").append(FOLD_COLOURS.get(f)).append("\"></i>")
                    .append(f).append("</span>");
        }
        return html.append("<span class=\"key\">dashed = still running</span></div>\n").toString();
    }
}
