package io.isofold.supervisor.report;

import static io.isofold.supervisor.report.Html.escape;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every attempt as a bar on the row of its slot, x = time since the run started, coloured by verdict. Shows
 * at a glance whether slots sat idle, where retries went and which GPU keeps failing. An attempt handed
 * to a standby worker has a thin grey line before its bar: from when its worker started to its handoff. An
 * attempt that continued from a checkpoint starts with a white marker, and its bar says from which epoch.
 */
final class TimelineChart {
    private static final int WIDTH = 1300;
    private static final int LABEL_WIDTH = 90;
    private static final int RIGHT_MARGIN = 20;
    private static final int ROW = 24;
    private static final int BAR = 16;
    private static final int TOP = 6;
    private static final int AXIS = 26;
    private static final int STANDBY_LINE = 3;
    private static final String STANDBY_COLOUR = "#9aa0a6";

    private TimelineChart() {}

    /** @param metrics the metrics a bar's tooltip names, when its attempt has them (a few: one tooltip per bar) */
    static String render(RunView view, List<String> metrics, Instant origin, Instant now) {
        StringBuilder html = new StringBuilder();
        html.append(legend(view));
        if (view.attempts().isEmpty()) {
            return html.append("<p class=\"empty\">No attempt has started yet.</p>\n").toString();
        }
        List<String> slots = slotsOf(view);
        double end = seconds(origin, view.ended() != null ? view.ended() : now);
        for (AttemptView a : view.attempts()) {
            if (a.ended() != null) {
                end = Math.max(end, seconds(origin, a.ended()));
            }
        }
        Axis x = new Axis(0, Math.max(end, 1), LABEL_WIDTH, WIDTH - RIGHT_MARGIN);
        int height = TOP + slots.size() * ROW + AXIS;

        html.append(String.format(Locale.ROOT,
                "<svg id=\"timeline\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\""
                        + " aria-label=\"attempts per slot over time\">\n", WIDTH, height));
        html.append("<defs><pattern id=\"quarantine-hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"8\" fill=\"#d62728\""
                + " fill-opacity=\"0.22\"/></pattern></defs>\n");
        Map<String, Integer> rowOf = new LinkedHashMap<>();
        for (int i = 0; i < slots.size(); i++) {
            rowOf.put(slots.get(i), i);
            int y = TOP + i * ROW;
            if (i % 2 == 0) {
                html.append(String.format(Locale.ROOT,
                        "<rect class=\"row\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f5f7\"/>\n",
                        LABEL_WIDTH, y, WIDTH - RIGHT_MARGIN - LABEL_WIDTH, ROW));
            }
            String why = quarantineOf(view, slots.get(i));
            if (why == null) {
                html.append(String.format(Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"slot-label\">%s</text>\n",
                        LABEL_WIDTH - 8, y + ROW / 2 + 4, escape(slots.get(i))));
                continue;
            }
            // a quarantined GPU's rows: hatched, the label in red, the reason on hover and at the row's end
            String title = "GPU " + gpuOf(slots.get(i)) + " quarantined: " + why;
            html.append(String.format(Locale.ROOT,
                    "<g class=\"quarantined\" data-slot=\"%s\"><title>%s</title><rect class=\"quarantined-row\""
                            + " x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"url(#quarantine-hatch)\"/>"
                            + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"slot-label quarantined\">\u2298 %s</text>"
                            + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"quarantine-note\">quarantined</text>"
                            + "</g>\n",
                    escape(slots.get(i)), escape(title), LABEL_WIDTH, y, WIDTH - RIGHT_MARGIN - LABEL_WIDTH, ROW,
                    LABEL_WIDTH - 8, y + ROW / 2 + 4, escape(slots.get(i)), WIDTH - RIGHT_MARGIN - 4,
                    y + ROW / 2 + 4));
        }
        // the hours no supervisor held the run (between a stop or a crash and the resume): shaded under the bars
        // (where the shade has the tooltip) and over them (attempts left running then were not watched)
        StringBuilder overlay = new StringBuilder();
        List<RunView.Session> sessions = view.sessions();
        for (int i = 0; i + 1 < sessions.size(); i++) {
            Instant from = sessions.get(i).end();
            Instant to = sessions.get(i + 1).start();
            if (from == null || to == null || !to.isAfter(from)) {
                continue;
            }
            double a = x.pixel(seconds(origin, from));
            double w = Math.max(1, x.pixel(seconds(origin, to)) - a);
            html.append(String.format(Locale.ROOT,
                    "<rect class=\"no-supervisor\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
                            + "<title>%s</title></rect>\n", a, TOP, w, slots.size() * ROW,
                    escape("no supervisor ran for " + Numbers.duration(seconds(from, to)) + " (not counted as run time)")));
            overlay.append(String.format(Locale.ROOT,
                    "<rect class=\"no-supervisor-over\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>\n", a,
                    TOP, w, slots.size() * ROW));
        }
        int axisY = TOP + slots.size() * ROW;
        for (double t : x.timeTicks(12)) {
            double px = x.pixel(t);
            html.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%s</text>\n",
                    px, TOP, px, axisY + 4, px, axisY + 17, Axis.clock(t)));
        }

        for (AttemptView a : view.attempts()) {
            if (a.started() == null) {
                continue;
            }
            double start = seconds(origin, a.started());
            // a running attempt reaches the right edge (now); a finished one with an unknown end is a sliver
            double stop = a.ended() != null ? seconds(origin, a.ended())
                    : a.running() ? Math.max(start, end) : start;
            double px = x.pixel(start);
            // at least 2 px: a bad task that fails in 50 ms on a 10-hour axis must still be visible
            double width = Math.max(2, x.pixel(stop) - px);
            int y = TOP + rowOf.get(slotOf(a)) * ROW + (ROW - BAR) / 2;
            if (a.standbySince() != null && a.standbySince().isBefore(a.started())) {
                // drawn at the row's foot, under the previous attempt's bar it ran beside
                double from = x.pixel(seconds(origin, a.standbySince()));
                html.append(String.format(Locale.ROOT, "<rect class=\"standby\" data-replicate=\"%d\" x=\"%.1f\""
                                + " y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>\n",
                        a.replicate(), from, y + BAR + 1, Math.max(1, px - from), STANDBY_LINE, STANDBY_COLOUR,
                        escape("r" + a.replicate() + " attempt " + a.attempt() + ": its worker started as a standby "
                                + Numbers.duration(seconds(a.standbySince(), a.started())) + " before its task")));
            }
            String verdict = Verdicts.label(a);
            html.append("<a href=\"#attempt-").append(a.replicate()).append('-').append(a.attempt()).append("\">")
                    .append("<rect class=\"bar\" data-verdict=\"").append(escape(verdict))
                    .append("\" data-replicate=\"").append(a.replicate()).append("\" x=\"");
            Numbers.pixel(html, px).append("\" y=\"").append(y).append("\" width=\"");
            Numbers.pixel(html, width).append("\" height=\"").append(BAR).append("\" rx=\"2\" fill=\"")
                    .append(Verdicts.colour(verdict)).append("\"><title>")
                    .append(escape(tooltip(a, verdict, start, stop, metrics))).append("</title></rect>");
            int indent = 4;
            if (a.continuedFrom() != null) {
                html.append("<path class=\"continued\" d=\"M");
                Numbers.pixel(html, px).append(' ').append(y).append("l6 ").append(BAR / 2).append("l-6 ")
                        .append(BAR / 2).append("z\"/>");
                indent = 8;
            }
            String label = barLabel(a, width - indent);
            if (label != null) {
                html.append("<text class=\"bar-label\" x=\"");
                Numbers.pixel(html, px + indent).append("\" y=\"").append(y + BAR - 4).append("\">").append(escape(label))
                        .append("</text>");
            }
            html.append("</a>\n");
        }
        html.append(overlay).append("</svg>\n");
        return html.toString();
    }

    /**
     * What fits in a bar of {@code room} pixels: {@code r7·2 from epoch 4}, {@code from epoch 4}, {@code r7·2},
     * {@code e4}; null when nothing does.
     */
    static String barLabel(AttemptView a, double room) {
        String id = "r" + a.replicate() + (a.attempt() > 1 ? "·" + a.attempt() : "");
        List<String> choices = a.continuedFrom() == null ? List.of(id)
                : List.of(id + " from epoch " + a.continuedFrom().epoch(), "from epoch " + a.continuedFrom().epoch(),
                        id, "e" + a.continuedFrom().epoch());
        for (String c : choices) {
            if (room > 6.5 * c.length() + 4) {
                return c;
            }
        }
        return null;
    }

    /** The run's slots in order, then any slot only an attempt names (a resumed run with other GPUs). */
    private static List<String> slotsOf(RunView view) {
        Set<String> slots = new LinkedHashSet<>(view.slots());
        view.attempts().forEach(a -> slots.add(slotOf(a)));
        return List.copyOf(slots);
    }

    /** The GPU of a slot label: {@code 1} for {@code gpu1/0}, {@code 2:mig1} for {@code gpu2:mig1/0}; null for CPU. */
    static String gpuOf(String slot) {
        if (slot == null || !slot.startsWith("gpu") || slot.lastIndexOf('/') < 3) {
            return null;
        }
        return slot.substring(3, slot.lastIndexOf('/'));
    }

    /** Why the slot's GPU was quarantined, or null when it was not. */
    static String quarantineOf(RunView view, String slot) {
        String gpu = gpuOf(slot);
        return gpu == null ? null : view.quarantined().get(gpu);
    }

    private static String slotOf(AttemptView a) {
        return a.slot() == null ? "?" : a.slot();
    }

    private static String tooltip(AttemptView a, String verdict, double start, double stop, List<String> metrics) {
        StringBuilder t = new StringBuilder("replicate ").append(a.replicate()).append(" (").append(a.model())
                .append(", fold ").append(a.fold()).append(", shuffle ").append(a.shuffle()).append("), attempt ")
                .append(a.attempt()).append('\n').append(a.running() ? verdict : a.verdict().phrase());
        if (a.reason() != null) {
            t.append(": ").append(a.reason());
        }
        t.append("\nslot ").append(slotOf(a)).append(", from ").append(Axis.clock(start)).append(" for ")
                .append(Numbers.duration(stop - start));
        if (a.continuedFrom() != null) {
            Double restored = a.continuedFrom().restoredSeconds();
            t.append("\ncontinued from ").append(a.continuedFrom().label()).append(" (a checkpoint of an earlier attempt")
                    .append(restored != null && restored > 0 ? ": " + Numbers.duration(restored) + " of training not"
                            + " done again" : "").append(')');
        }
        int named = 0;
        for (String k : metrics) {
            Double v = a.metrics().get(k);
            if (v != null) {
                t.append('\n').append(k).append(" = ").append(Numbers.exact(v));
                named++;
            }
        }
        if (a.metrics().size() > named) {
            t.append("\n(").append(a.metrics().size()).append(" metrics in all: results.csv)");
        }
        return t.toString();
    }

    private static String legend(RunView view) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Verdicts.ALL.forEach(v -> counts.put(v, 0));
        for (AttemptView a : view.attempts()) {
            counts.merge(Verdicts.label(a), 1, Integer::sum);
        }
        StringBuilder html = new StringBuilder("<div class=\"legend\">");
        if (!view.quarantined().isEmpty()) {
            html.append("<span class=\"key\"><i style=\"background:repeating-linear-gradient(45deg,#f3c4c5 0 3px,"
                    + "#fff 3px 6px)\"></i>quarantined GPU</span>");
        }
        if (view.sessions().size() > 1) {
            html.append("<span class=\"key\"><i style=\"background:#c8c8c8\"></i>no supervisor (not counted)</span>");
        }
        if (view.attempts().stream().anyMatch(a -> a.continuedFrom() != null)) {
            html.append("<span class=\"key\"><i style=\"background:#fff;border:1px solid #888\"></i>")
                    .append("\u25b8 continued from a checkpoint (\"from epoch N\")</span>");
        }
        if (view.attempts().stream().anyMatch(a -> a.standbySince() != null)) {
            html.append("<span class=\"key\"><i style=\"background:").append(STANDBY_COLOUR)
                    .append(";height:3px\"></i>standby worker waiting for its task</span>");
        }
        counts.forEach((verdict, n) -> {
            // every colour is explained, present or not, so a reader never meets an unexplained one
            html.append("<span class=\"key").append(n == 0 ? " absent" : "").append("\"><i style=\"background:")
                    .append(Verdicts.colour(verdict)).append("\"></i>").append(escape(verdict)).append(' ')
                    .append(n).append("</span>");
        });
        return html.append("</div>\n").toString();
    }

    static double seconds(Instant origin, Instant t) {
        return (t.toEpochMilli() - origin.toEpochMilli()) / 1000.0;
    }
}
