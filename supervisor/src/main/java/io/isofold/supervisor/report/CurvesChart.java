package io.isofold.supervisor.report;

import static io.isofold.supervisor.report.Html.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validation loss per epoch, one line per replicate, one panel per model on a shared y axis: shows whether
 * models converged, overfit, or whether one replicate went astray.
 */
final class CurvesChart {
    /** Panels share the page's 1300 px: wide when there are few models, three to a row from three on. */
    private static final int PAGE_WIDTH = 1300;
    private static final int GAP = 8;
    private static final int HEIGHT = 270;
    private static final int LEFT = 52;
    private static final int RIGHT = 12;
    private static final int TOP = 26;
    private static final int BOTTOM = 36;
    /** Line colour by fold (Tableau 10 without its green and red, which mean completed and failed elsewhere). */
    static final List<String> FOLD_COLOURS = List.of("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939");

    private CurvesChart() {}

    static String render(List<String> models, List<LearningCurve> curves) {
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        double maxEpoch = 1;
        for (LearningCurve c : curves) {
            for (double[] p : c.points()) {
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
                maxEpoch = Math.max(maxEpoch, p[0]);
            }
        }
        StringBuilder html = new StringBuilder("<div class=\"panels\">\n");
        if (minY > maxY) {
            return html.append("<p class=\"empty\">No epoch with a val_loss reported yet.</p></div>\n").toString();
        }
        double pad = (maxY - minY) * 0.05;
        Axis y = new Axis(minY - pad, maxY + pad, HEIGHT - BOTTOM, TOP);
        // epochs counted from 0 or from 1, whichever the worker writes
        double minEpoch = curves.stream().flatMap(c -> c.points().stream()).mapToDouble(p -> p[0]).min().orElse(0);
        int width = PAGE_WIDTH / Math.max(1, Math.min(3, models.size())) - GAP;
        Axis x = new Axis(minEpoch, Math.max(maxEpoch, minEpoch + 1), LEFT, width - RIGHT);
        for (String model : models) {
            List<LearningCurve> ofModel = new ArrayList<>();
            for (LearningCurve c : curves) {
                if (model.equals(c.attempt().model()) && !c.points().isEmpty()) {
                    ofModel.add(c);
                }
            }
            html.append(panel(model, ofModel, x, y, width));
        }
        return html.append("</div>\n").toString();
    }

    private static String panel(String model, List<LearningCurve> curves, Axis x, Axis y, int width) {
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart curve-panel\" viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\""
                        + " aria-label=\"val_loss per epoch\">\n", width, HEIGHT, width));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" class=\"panel-title\">%s</text>",
                LEFT, escape(model)));
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
                    px, HEIGHT - BOTTOM + 15, Axis.label(t, xStep)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis-title\">epoch</text>"
                        + "<text transform=\"translate(12 %d) rotate(-90)\" text-anchor=\"middle\""
                        + " class=\"axis-title\">val_loss</text>\n",
                (LEFT + width - RIGHT) / 2, HEIGHT - 6, (TOP + HEIGHT - BOTTOM) / 2));
        if (curves.isEmpty()) {
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"empty\">no epochs yet</text>\n",
                    (LEFT + width - RIGHT) / 2, (TOP + HEIGHT - BOTTOM) / 2));
        }
        for (LearningCurve c : curves) {
            AttemptView a = c.attempt();
            String colour = FOLD_COLOURS.get(Math.floorMod(a.fold(), FOLD_COLOURS.size()));
            StringBuilder points = new StringBuilder();
            for (double[] p : c.points()) {
                Numbers.pixel(points, x.pixel(p[0])).append(',');
                Numbers.pixel(points, y.pixel(p[1])).append(' ');
            }
            double[] last = c.points().get(c.points().size() - 1);
            String title = escape("replicate " + a.replicate() + ", fold " + a.fold() + ", attempt " + a.attempt()
                    + (a.running() ? " (running)" : "") + ": val_loss " + Numbers.exact(last[1])
                    + " at epoch " + (long) last[0]);
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"curve\"><title>%s</title><polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                            + " stroke-width=\"1.6\" stroke-opacity=\"0.85\"%s/>"
                            + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/></g>\n",
                    title, points.toString().trim(), colour, a.running() ? " stroke-dasharray=\"4 3\"" : "",
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
