package io.isofold.supervisor.report;

import static io.isofold.supervisor.report.Html.escape;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;

/** Every attempt as a table row, with links to its logs: where to look when something went wrong. */
final class AttemptsTable {
    private AttemptsTable() {}

    static String render(RunView view, List<String> metricNames, Instant origin, Instant now, ZoneId zone) {
        StringBuilder html = new StringBuilder("<table id=\"attempts\">\n<thead><tr><th>replicate</th><th>model</th>"
                + "<th>fold</th><th>attempt</th><th>slot</th><th>start</th><th>duration</th><th>verdict</th>"
                + "<th>reason</th><th>metrics</th><th>logs</th></tr></thead>\n<tbody>\n");
        List<AttemptView> sorted = view.attempts().stream()
                .sorted(Comparator.comparingInt(AttemptView::replicate).thenComparingInt(AttemptView::attempt))
                .toList();
        for (AttemptView a : sorted) {
            String verdict = Verdicts.label(a);
            String dir = linkDir(view.outDir(), a);
            html.append("<tr id=\"attempt-").append(a.replicate()).append('-').append(a.attempt())
                    .append("\" data-verdict=\"").append(escape(verdict)).append("\">")
                    .append("<td class=\"num\">").append(a.replicate()).append("</td>")
                    .append("<td>").append(escape(a.model())).append("</td>")
                    .append("<td class=\"num\">").append(a.fold()).append("</td>")
                    .append("<td class=\"num\">").append(a.attempt()).append("</td>")
                    .append("<td>").append(escape(a.slot())).append("</td>");
            if (a.started() == null) {
                html.append("<td></td>");
            } else {
                html.append("<td class=\"num\" title=\"").append(escape(Html.humanTimeSeconds(a.started(), zone)))
                        .append("\">+")
                        .append(Axis.clock(TimelineChart.seconds(origin, a.started()))).append("</td>");
            }
            html.append("<td class=\"num\">").append(Numbers.duration(a.durationSeconds(now))).append("</td>")
                    .append("<td><span class=\"verdict\" style=\"background:").append(Verdicts.colour(verdict))
                    .append("\">").append(escape(verdict)).append("</span></td>")
                    .append("<td class=\"reason\">").append(escape(a.reason()))
                    .append(a.exitCode() != null && (a.reason() == null || !a.reason().contains("exit"))
                            && a.exitCode() != 0 ? escape(" (exit " + a.exitCode() + ")") : "")
                    .append("</td><td class=\"metrics\">");
            for (String m : metricNames) {
                Double v = a.metrics().get(m);
                if (v != null) {
                    html.append("<span>").append(escape(m)).append("&nbsp;").append(Numbers.fixed(v, v))
                            .append("</span> ");
                }
            }
            html.append("</td><td><a href=\"").append(escape(dir)).append("/stdout.log\">stdout</a> <a href=\"")
                    .append(escape(dir)).append("/stderr.log\">stderr</a></td></tr>\n");
        }
        return html.append("</tbody>\n</table>\n").toString();
    }

    /**
     * The attempt's directory relative to the report, so links work wherever the output directory is copied;
     * the contract's layout when the directory is unknown or lies elsewhere.
     */
    static String linkDir(Path outDir, AttemptView a) {
        Path dir = a.attemptDir();
        if (outDir != null && dir != null) {
            Path base = outDir.toAbsolutePath().normalize();
            Path target = dir.toAbsolutePath().normalize();
            if (target.startsWith(base) && !target.equals(base)) {
                StringBuilder link = new StringBuilder();
                for (Path part : base.relativize(target)) {
                    link.append(link.length() == 0 ? "" : "/").append(Html.urlSegment(part.toString()));
                }
                return link.toString();
            }
        }
        return "replicates/" + a.replicate() + "/attempt-" + a.attempt();
    }
}
