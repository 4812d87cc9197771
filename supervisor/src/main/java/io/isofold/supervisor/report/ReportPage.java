package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.spec.MetricDirection;
import io.isofold.shared.AtomicFiles;import static io.isofold.supervisor.report.Html.escape;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * report.html: one self-contained page (no network: inline CSS, SVG and script, data embedded as JSON) that
 * can be mailed or copied off a cluster and still opens. The charts are drawn here as SVG, so the page reads
 * the same with scripts off; the script only adds the attempt count, a verdict filter and the page's age.
 */
public final class ReportPage {
    /** While the run goes on, the browser reloads the page this often (seconds) to show new attempts. */
    static final int REFRESH_SECONDS = 60;
    /**
     * The timeline, the table and the page's data show at most this many attempts (the latest): the
     * page of a 20,000-attempt run must stay a page a browser opens, and its writing must fit the
     * supervisor's small heap. The counts and statistics always cover every attempt.
     */
    static final int MAX_ATTEMPTS_SHOWN = 2000;
    /** Learning curves drawn at most: the latest completed or running attempts. */
    static final int MAX_CURVES = 100;
    /**
     * Metrics the page shows at most (the models and comparisons tables, the page's data): the primary
     * one first, then in display order. A result may report thousands (per-class accuracy): the page
     * stays one a reader can read, and its writing fits the supervisor's small heap, whatever the
     * metrics times the attempts. results.csv and summary.json have every metric.
     */
    static final int MAX_METRICS_SHOWN = 20;
    /** Metrics shown per attempt (the attempts table, the timeline's tooltips, the page's data): the first shown. */
    static final int METRICS_PER_ATTEMPT = 5;

    private ReportPage() {}

    /** Rows of the every-pair table at most ({@code report --all-pairs}): a grid of 1000 variants has 499,500 pairs. */
    static final int MAX_PAIR_ROWS = 2000;

    public static void write(RunView view, Summary summary, Instant now) throws IOException {
        write(view, summary, now, false);
    }

    /** @param allPairs compare every pair of variants, not each with the best ({@code report DIR --all-pairs}) */
    public static void write(RunView view, Summary summary, Instant now, boolean allPairs) throws IOException {
        AtomicFiles.writeString(new RunFiles(view.outDir()).reportHtml(), render(view, summary, now, allPairs));
    }

    public static String render(RunView full, Summary summary, Instant now) {
        return render(full, summary, now, false);
    }

    public static String render(RunView full, Summary summary, Instant now, boolean allPairs) {
        Instant origin = origin(full, now);
        Map<Integer, AttemptView> completed = Summary.completedByReplicate(full.attempts());
        List<AttemptView> all = full.attempts();
        RunView view = all.size() <= MAX_ATTEMPTS_SHOWN ? full : full.withAttempts(
                all.subList(all.size() - MAX_ATTEMPTS_SHOWN, all.size()));
        List<LearningCurve> curves = new ArrayList<>();
        Map<AttemptView, LearningCurve> runningCurves = new java.util.HashMap<>();
        for (int i = view.attempts().size() - 1; i >= 0 && curves.size() < MAX_CURVES; i--) {
            AttemptView a = view.attempts().get(i);
            // only what the curves chart draws: progress files of failed attempts are never opened
            if (a.completed() || a.running()) {
                LearningCurve c = LearningCurve.read(a);
                curves.add(c);
                if (a.running()) {
                    runningCurves.put(a, c);
                }
            }
        }
        if (runningCurves.values().stream().anyMatch(c -> c.continuedFrom() != null)) {
            // a running attempt's journal line does not say yet where it continued from; its progress file does
            view = view.withAttempts(view.attempts().stream().map(a -> {
                LearningCurve c = runningCurves.get(a);
                return c != null && c.continuedFrom() != null && a.continuedFrom() == null
                        ? a.continued(c.continuedFrom()) : a;
            }).toList());
        }
        List<String> shown = shownMetrics(summary);
        List<String> perAttempt = shown.subList(0, Math.min(METRICS_PER_ATTEMPT, shown.size()));
        String status = summary.state().word();
        ZoneId zone = ZoneId.systemDefault();
        String runName = view.outDir() == null || view.outDir().getFileName() == null ? "run"
                : view.outDir().getFileName().toString();

        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                // forbids every fetch: the page is self-contained by design, and injected markup could load nothing
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                        + " style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
        if (view.running()) {
            html.append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">\n");
        }
        html.append("<title>").append(escape("isofold " + runName + ": " + summary.completed() + "/"
                + summary.required() + " completed, " + status)).append("</title>\n")
                .append("<script>").append(ERROR_SCRIPT).append("</script>\n")
                .append("<style>").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<pre id=\"script-errors\" hidden></pre>\n");

        html.append("<header><h1>isofold run <span class=\"run-name\">").append(escape(runName))
                .append("</span> <span class=\"status ").append(status).append("\">").append(status)
                .append("</span></h1>\n<p class=\"sub\">").append(escape(String.valueOf(view.outDir())))
                .append(" · started ").append(Html.time(view.started(), zone))
                .append(" · ").append(took(view, origin, now))
                .append(" · ").append(view.folds()).append(" folds · <span id=\"page-age\" title=\"")
                .append(escape(Html.humanTimeSeconds(now, zone))).append("\">written ")
                .append(Html.time(now, zone)).append("</span></p>\n</header>\n");

        html.append(counts(summary));
        html.append(notes(summary));
        html.append(metricsLeftOut(summary, shown));
        html.append("<section><h2>Models").append(summary.best() != null && summary.models().size() > 1
                ? " <small>sorted by " + escape(summary.primaryMetric()) + ", best first</small>" : "")
                .append("</h2>\n").append(continued(summary)).append(modelsTable(summary, shown))
                .append("</section>\n");
        html.append(RaceChart.section(full, summary));
        if (allPairs && !summary.comparisons().isEmpty()) {
            html.append("<section><h2>Comparisons <small>every pair</small></h2>\n")
                    .append(allPairsTable(summary, shown)).append("</section>\n");
        } else if (!summary.vsBest().isEmpty()) {
            html.append("<section><h2>Comparisons <small>each variant against the best</small></h2>\n")
                    .append(headlines(summary)).append(vsBestTable(summary, shown)).append("</section>\n");
        }
        if (!full.quarantined().isEmpty()) {
            html.append("<section><h2>Quarantined GPUs</h2>\n<ul>\n");
            full.quarantined().forEach((gpu, why) -> html.append("<li>GPU ").append(escape(gpu)).append(": ")
                    .append(escape(why)).append("</li>\n"));
            html.append("</ul></section>\n");
        }
        String shownNote = view == full ? "" : " <small>the latest " + MAX_ATTEMPTS_SHOWN + " of " + all.size()
                + " attempts; the journal has them all</small>";
        html.append("<section><h2>Timeline").append(shownNote).append("</h2>\n")
                .append(TimelineChart.render(view, perAttempt, origin, now)).append("</section>\n");
        List<String> curveMetrics = CurvesChart.metrics(curves, summary.goals(), summary.primaryMetric());
        html.append("<section><h2>Learning curves <small>per epoch, completed and running attempts</small> <small>")
                .append(CurvesChart.selector(curveMetrics)).append("</small></h2>\n")
                .append(CurvesChart.render(summary.ranking(), curves, curveMetrics)).append(CurvesChart.key(view.folds()))
                .append("</section>\n");
        String metric = DistributionChart.metricOf(summary);
        html.append("<section><h2>Distribution").append(metric == null ? "" : " of " + escape(metric))
                .append(" <small>dots = replicates, box = quartiles, ◆ = mean with 95% CI</small></h2>\n")
                .append(DistributionChart.render(summary, List.copyOf(completed.values()))).append("</section>\n");
        html.append("<section><h2>Attempts").append(shownNote).append(" <small><label>show <select id=\"verdict-filter\">"
                + "<option value=\"\">all verdicts</option></select></label></small></h2>\n")
                .append(AttemptsTable.render(view, perAttempt, origin, now, zone)).append("</section>\n");

        html.append("<script type=\"application/json\" id=\"report-data\">")
                .append(Html.scriptJson(data(view, summary, now, shown, perAttempt))).append("</script>\n")
                .append("<script>").append(MAIN_SCRIPT).append("</script>\n</body>\n</html>\n");
        return html.toString();
    }

    /**
     * "running for 12m05s" or "took 1h05m": the time a supervisor held the run, so hours when none ran (a
     * night between a crash and a resume) do not count; with more than one session, the sessions and the span
     * from first start to end are said too.
     */
    static String took(RunView view, Instant origin, Instant now) {
        double supervised = view.supervisedSeconds(now);
        StringBuilder text = new StringBuilder(view.running() ? "running for " : "took ")
                .append(Numbers.duration(supervised));
        int sessions = view.sessions().size();
        if (sessions > 1) {
            double span = TimelineChart.seconds(origin, view.ended() != null ? view.ended() : now);
            text.append(" of supervisor time in ").append(sessions).append(" sessions (")
                    .append(Numbers.duration(span)).append(" from first start to ")
                    .append(view.running() ? "now" : "end").append(')');
        }
        return escape(text.toString());
    }

    /** What a reader should know before reading the numbers: renamed columns, --metric names nobody reported. */
    private static String notes(Summary s) {
        if (s.notes().isEmpty()) {
            return "";
        }
        StringBuilder html = new StringBuilder("<ul class=\"notes\">\n");
        s.notes().forEach(n -> html.append("<li>").append(escape(n)).append("</li>\n"));
        return html.append("</ul>\n").toString();
    }

    /**
     * The metrics the page shows: the primary one, then the others in display order, at most
     * {@value #MAX_METRICS_SHOWN}.
     */
    static List<String> shownMetrics(Summary s) {
        java.util.LinkedHashSet<String> shown = new java.util.LinkedHashSet<>();
        if (s.primaryMetric() != null) {
            shown.add(s.primaryMetric());
        }
        for (String m : s.metricNames()) {
            if (shown.size() >= MAX_METRICS_SHOWN) {
                break;
            }
            shown.add(m);
        }
        return List.copyOf(shown);
    }

    /** Says which metrics the page leaves out, and where they all are; nothing when it shows them all. */
    private static String metricsLeftOut(Summary s, List<String> shown) {
        int all = s.metricNames().size();
        if (all <= shown.size()) {
            return "";
        }
        return "<p class=\"note metrics-left-out\">This page shows " + shown.size() + " of the run's " + all
                + " metrics (the primary one, then in the tables' order), and " + METRICS_PER_ATTEMPT
                + " per attempt; " + RunFiles.RESULTS_CSV + " and " + RunFiles.SUMMARY_JSON
                + " have them all.</p>\n";
    }

    /** Direction of a metric in a few words, with the guess marked: "lower is better (guessed from the name)". */
    private static String direction(Summary s, String metric) {
        MetricDirection d = s.direction(metric);
        String text = d.arrow().substring(0, 1) + " " + d.better() + " is better";
        if (!d.guessed()) {
            return "<span class=\"direction\" title=\"" + escape(d.guessPhrase()) + "\">" + escape(text) + "</span>";
        }
        return "<span class=\"direction guessed\" title=\"" + escape(d.guessPhrase()
                + "; set it with --metric " + metric + ":min or :max") + "\">" + escape(text + " (" + d.guessPhrase()
                + ")") + "</span>";
    }

    /** One sentence per variant against the best on the primary metric: the comparison a reader came for. */
    private static String headlines(Summary s) {
        String metric = s.primaryMetric();
        if (metric == null) {
            return "";
        }
        StringBuilder html = new StringBuilder();
        for (ModelComparison c : s.vsBest()) {
            PairedComparison p = c.metrics().get(metric);
            if (p == null) {
                continue;
            }
            html.append("<p class=\"headline").append(c.significant(p) ? " significant" : "").append("\"><b>")
                    .append(escape(c.modelA() + " vs " + c.modelB())).append("</b> on ").append(escape(metric))
                    .append(" (").append(direction(s, metric)).append("): <b>").append(escape(c.verdict(p)))
                    .append("</b>");
            if (p.ci95Low() != null) {
                double scale = Math.max(Math.abs(p.ci95Low()), Math.abs(p.ci95High()));
                Double holm = c.adjustedP(metric);
                html.append(" <small>difference ").append(Numbers.signed(p.meanDifference(), scale)).append(" [")
                        .append(Numbers.fixed(p.ci95Low(), scale)).append(", ")
                        .append(Numbers.fixed(p.ci95High(), scale)).append("], ")
                        .append(escape(Numbers.pValue(p.pValue())))
                        .append(holm != null ? ", Holm " + escape(Numbers.pValue(holm)) : "")
                        .append(", ").append(p.n()).append(p.n() == 1 ? " pair" : " pairs").append("</small>");
            }
            html.append("</p>\n");
        }
        return html.toString();
    }

    /** "3 attempts continued from checkpoints, 1h05m of training not done again", when any did. */
    private static String continued(Summary s) {
        if (s.continuedAttempts() == 0) {
            return "";
        }
        return "<p class=\"note continued-note\">" + escape(SummaryTable.continuedLine(s)) + ".</p>\n";
    }

    /** Time zero of the charts: the run's start, or its first attempt's when the start is unknown. */
    static Instant origin(RunView view, Instant now) {
        if (view.started() != null) {
            return view.started();
        }
        return view.attempts().stream().map(AttemptView::started).filter(t -> t != null).min(Instant::compareTo)
                .orElse(now);
    }

    private static String counts(Summary s) {
        StringBuilder html = new StringBuilder("<div class=\"counts\">");
        card(html, "completed", s.completed() + " / " + s.required(), s.race() == null ? "replicates"
                : "replicates (" + s.race().attemptsSaved() + " saved by the race)");
        html.append("<div class=\"card\"><b id=\"attempt-count\"></b><span>attempts in all</span></div>");
        card(html, "finished", String.valueOf(s.attempts()), "attempts finished");
        card(html, "failed", String.valueOf(s.failedAttempts()), "failed (not counting interrupted)");
        card(html, "running", String.valueOf(s.runningAttempts()), "running now");
        return html.append("</div>\n").toString();
    }

    private static void card(StringBuilder html, String cls, String value, String label) {
        html.append("<div class=\"card ").append(cls).append("\"><b>").append(escape(value)).append("</b><span>")
                .append(escape(label)).append("</span></div>");
    }

    /** Params shown as columns of the models table at most (those that differ between the variants). */
    static final int MAX_PARAMS_SHOWN = 12;

    private static String modelsTable(Summary s, List<String> shown) {
        List<String> params = s.variedParams();
        List<String> shownParams = params.subList(0, Math.min(MAX_PARAMS_SHOWN, params.size()));
        boolean ranked = s.best() != null && s.models().size() > 1;
        // a run with many metrics makes this table wide: it scrolls on its own instead of the whole page
        StringBuilder html = new StringBuilder("<div style=\"overflow-x:auto\"><table class=\"stats\" id=\"models\">"
                + "<thead><tr>");
        if (ranked) {
            html.append("<th>#</th>");
        }
        html.append("<th>model</th>");
        for (String p : shownParams) {
            html.append("<th class=\"param\">").append(escape(s.paramLabel(p))).append("</th>");
        }
        html.append("<th>completed</th><th>attempts</th><th>failed</th>");
        for (String m : shown) {
            html.append("<th").append(m.equals(s.primaryMetric()) ? " class=\"primary\"" : "").append(">")
                    .append(escape(m)).append("<br><small>").append(direction(s, m))
                    .append("<br>mean ± std [95% CI]</small></th>");
        }
        html.append("</tr></thead><tbody>\n");
        int rank = 0;
        for (ModelSummary m : s.rankedModels()) {
            boolean best = m.name().equals(s.best());
            html.append("<tr").append(best && ranked ? " class=\"best\"" : "").append(">");
            if (ranked) {
                boolean placed = !s.eliminated(m.name()) && m.metrics().containsKey(s.primaryMetric());
                rank += placed ? 1 : 0;
                html.append("<td class=\"num\">").append(placed ? String.valueOf(rank) : "–").append("</td>");
            }
            html.append("<td>").append(escape(m.name()));
            if (best && ranked) {
                html.append(" <span class=\"badge best\">best</span>");
            } else if (s.eliminated(m.name())) {
                html.append(" <span class=\"badge eliminated\">eliminated</span>");
            }
            html.append("</td>");
            for (String p : shownParams) {
                html.append("<td class=\"param\">").append(escape(m.params().getOrDefault(p, ""))).append("</td>");
            }
            html.append("<td class=\"num\">").append(m.completed())
                    .append(" / ").append(m.requested()).append("</td><td class=\"num\">").append(m.attempts())
                    .append("</td><td class=\"num\">").append(m.failedAttempts()).append("</td>");
            for (String metric : shown) {
                MetricStats st = m.metrics().get(metric);
                html.append("<td class=\"num\">");
                if (st != null) {
                    html.append(escape(SummaryTable.meanStd(st)));
                    if (st.ci95Low() != null) {
                        html.append(" <small>[").append(Numbers.fixed(st.ci95Low(), st.mean())).append(", ")
                                .append(Numbers.fixed(st.ci95High(), st.mean())).append("]</small>");
                    }
                }
                html.append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody></table></div>\n");
        if (params.size() > shownParams.size()) {
            html.append("<p class=\"note\">").append(shownParams.size()).append(" of the ").append(params.size())
                    .append(" params that differ between the variants are shown; ").append(RunFiles.RESULTS_CSV)
                    .append(" and ").append(RunFiles.SUMMARY_JSON).append(" have them all.</p>\n");
        }
        return html.toString();
    }

    /** Each variant against the best, on the shown metrics, with Holm's adjustment per metric and a word on it. */
    private static String vsBestTable(Summary s, List<String> shown) {
        StringBuilder html = new StringBuilder("<p class=\"note comparisons-note\">")
                .append(escape(Character.toUpperCase(SummaryJson.comparisonNote(s, s.primaryMetric()).charAt(0))
                        + SummaryJson.comparisonNote(s, s.primaryMetric()).substring(1)))
                .append(". The other metrics are compared with the same best, each adjusted over its own comparisons."
                        + " Difference = variant − best.");
        if (s.models().size() > 2) {
            html.append(" Every pair: <code>scripts/run.sh report DIR --all-pairs</code>, and summary.json's"
                    + " <code>comparisons</code>.");
        }
        html.append("</p>\n");
        List<ModelComparison> rows = s.vsBest();
        return html.append(comparisonRows(s, rows, shown, "variant vs best", Integer.MAX_VALUE)).toString();
    }

    /** Every pair ({@code report --all-pairs}), with Holm's adjustment over all the pairs of each metric. */
    private static String allPairsTable(Summary s, List<String> shown) {
        int pairs = s.comparisons().size();
        StringBuilder html = new StringBuilder("<p class=\"note comparisons-note\">Every pair of variants, paired by"
                + " replicate index (same fold of the same shuffle); corrected resampled t-test of Nadeau &amp; Bengio"
                + " (2003), which widens the interval for the overlap of training sets across folds. ")
                .append(pairs).append(pairs == 1 ? " pair" : " pairs").append(" per metric")
                .append(pairs > 1 ? ", p-values adjusted for their number by Holm's method (the verdict follows the"
                        + " adjusted p)" : "").append(". Difference = first model − second.</p>\n");
        return html.append(comparisonRows(s, s.allPairsAdjusted(shown), shown, "models", MAX_PAIR_ROWS)).toString();
    }

    private static String comparisonRows(Summary s, List<ModelComparison> comparisons, List<String> shown,
            String firstHeader, int maxRows) {
        StringBuilder html = new StringBuilder("<table class=\"stats\" id=\"comparisons\"><thead><tr><th>")
                .append(escape(firstHeader)).append("</th><th>metric</th><th>pairs</th>"
                + "<th>better</th><th>difference</th><th>95% CI</th><th>t</th><th>p</th><th>Holm p</th><th>verdict</th>"
                + "</tr></thead><tbody>\n");
        int rows = 0;
        int left = 0;
        for (ModelComparison c : comparisons) {
            for (String metric : shown) {
                PairedComparison p = c.metrics().get(metric);
                if (p == null) {
                    continue;
                }
                if (rows >= maxRows) {
                    left++;
                    continue;
                }
                rows++;
                boolean interval = p.ci95Low() != null;
                double scale = interval ? Math.max(Math.abs(p.ci95Low()), Math.abs(p.ci95High())) : 1;
                Double holm = c.adjustedP(metric);
                html.append("<tr").append(c.significant(p) ? " class=\"significant\"" : "").append("><td>")
                        .append(escape(c.modelA() + " vs " + c.modelB())).append("</td><td>")
                        .append(escape(p.metric())).append("</td><td class=\"num\">").append(p.n())
                        .append("</td><td>").append(direction(s, p.metric()))
                        .append("</td><td class=\"num\">")
                        .append(Double.isFinite(p.meanDifference()) ? Numbers.signed(p.meanDifference(), scale) : "")
                        .append("</td><td class=\"num\">")
                        .append(interval ? "[" + Numbers.fixed(p.ci95Low(), scale) + ", "
                                + Numbers.fixed(p.ci95High(), scale) + "]" : "")
                        .append("</td><td class=\"num\">")
                        .append(p.t() == null ? "" : String.format(java.util.Locale.ROOT, "%.2f", p.t()))
                        .append("</td><td class=\"num\">").append(p.pValue() == null ? ""
                                : escape(Numbers.pNumber(p.pValue())))
                        .append("</td><td class=\"num\">").append(holm == null ? "" : escape(Numbers.pNumber(holm)))
                        .append("</td><td>").append(escape(c.verdict(p))).append("</td></tr>\n");
            }
        }
        html.append("</tbody></table>\n");
        if (left > 0) {
            html.append("<p class=\"note\">").append(left).append(" more rows are left out; summary.json's")
                    .append(" <code>comparisons</code> has every pair.</p>\n");
        }
        return html.toString();
    }

    /**
     * What the page's script reads; the curves stay out (they are drawn already and are most of the bytes),
     * and so do the metrics the page does not show.
     */
    private static String data(RunView view, Summary summary, Instant now, List<String> shown,
            List<String> perAttempt) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode run = root.putObject("run");
        run.put("out_dir", String.valueOf(view.outDir()));
        run.put("status", summary.state().word());
        run.put("written", now.toString());
        run.put("refresh_seconds", view.running() ? REFRESH_SECONDS : 0);
        run.put("folds", view.folds());
        view.models().forEach(run.putArray("models")::add);
        view.slots().forEach(run.putArray("slots")::add);
        root.set("summary", SummaryJson.tree(summary, shown));
        ArrayNode attempts = root.putArray("attempts");
        for (AttemptView a : view.attempts()) {
            ObjectNode o = attempts.addObject();
            o.put("replicate", a.replicate());
            o.put("model", a.model());
            o.put("index", a.index());
            o.put("fold", a.fold());
            o.put("shuffle", a.shuffle());
            o.put("attempt", a.attempt());
            o.put("slot", a.slot());
            o.put("gpu", a.gpu());
            o.put("started", a.started() == null ? null : a.started().toString());
            o.put("ended", a.ended() == null ? null : a.ended().toString());
            o.put("verdict", Verdicts.label(a));
            o.put("reason", a.reason());
            if (a.exitCode() != null) {
                o.put("exit_code", a.exitCode());
            }
            ObjectNode metrics = o.putObject("metrics");
            for (String k : perAttempt) {
                Double v = a.metrics().get(k);
                if (v != null && Double.isFinite(v)) {
                    metrics.put(k, v);
                }
            }
        }
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }

    /** Runs first, so that an error anywhere later on the page is written where a test (or a person) sees it. */
    static final String ERROR_SCRIPT = "window.onerror=function(m,src,line){var e=document.getElementById("
            + "'script-errors');var t=m+' (line '+line+')\\n';if(e){e.textContent+=t;e.hidden=false;}"
            + "else{(window.pendingErrors=window.pendingErrors||[]).push(t);}};";

    static final String MAIN_SCRIPT = """
            (function () {
              'use strict';
              var errors = document.getElementById('script-errors');
              (window.pendingErrors || []).forEach(function (t) { errors.textContent += t; errors.hidden = false; });
              var data = JSON.parse(document.getElementById('report-data').textContent);
              document.getElementById('attempt-count').textContent = String(data.attempts.length);

              var counts = {};
              data.attempts.forEach(function (a) { counts[a.verdict] = (counts[a.verdict] || 0) + 1; });
              var select = document.getElementById('verdict-filter');
              Object.keys(counts).sort().forEach(function (v) {
                var option = document.createElement('option');
                option.value = v;
                option.textContent = v + ' (' + counts[v] + ')';
                select.appendChild(option);
              });
              select.addEventListener('change', function () {
                var rows = document.querySelectorAll('#attempts tbody tr');
                for (var i = 0; i < rows.length; i++) {
                  rows[i].hidden = select.value !== '' && rows[i].getAttribute('data-verdict') !== select.value;
                }
              });

              // the learning curves of one metric at a time, the one chosen in the menu
              var curveMetric = document.getElementById('curve-metric');
              if (curveMetric) {
                var blocks = document.querySelectorAll('.curve-metric');
                var showCurves = function () {
                  for (var i = 0; i < blocks.length; i++) {
                    blocks[i].hidden = blocks[i].getAttribute('data-metric') !== curveMetric.value;
                  }
                };
                curveMetric.addEventListener('change', showCurves);
                showCurves();
              }

              // times in the reader's own time zone; the writer's local time stays as the tooltip
              var timeFormat = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
                  timeZoneName: 'short' };
              function localTime(ms) { return new Date(ms).toLocaleString(undefined, timeFormat); }
              var times = document.querySelectorAll('time.local');
              for (var i = 0; i < times.length; i++) {
                var at = Date.parse(times[i].getAttribute('datetime'));
                if (!isNaN(at)) {
                  times[i].title = times[i].textContent;
                  times[i].textContent = localTime(at);
                }
              }

              // a page left open on a finished run, or one whose run died, should say how old it is
              var written = Date.parse(data.run.written);
              var age = document.getElementById('page-age');
              function showAge() {
                var minutes = Math.floor((Date.now() - written) / 60000);
                age.textContent = 'written ' + (minutes < 1 ? 'just now' : minutes < 120 ? minutes + ' min ago'
                    : minutes < 2880 ? Math.floor(minutes / 60) + ' h ago' : Math.floor(minutes / 1440) + ' days ago');
                age.title = localTime(written);
              }
              if (!isNaN(written)) { showAge(); setInterval(showAge, 30000); }
            })();
            """;

    static final String STYLE = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0 auto;
              padding:16px 24px;max-width:1360px;background:#fff}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #e3e3e3;
              padding-bottom:4px}h2 small,th small{font-weight:normal;color:#777;font-size:12px;margin-left:6px}
            .sub{color:#666;margin:0 0 12px;font-size:13px;word-break:break-all}
            .status{font-size:13px;padding:2px 8px;border-radius:10px;vertical-align:middle;color:#fff}
            .status.running{background:#1f77b4}.status.complete{background:#2ca02c}.status.stopped{background:#555}
            .direction{white-space:nowrap}.direction.guessed{color:#a35a00;font-style:italic}
            th.primary{background:#e8f0fb}.notes{background:#fff8e1;border:1px solid #f0d999;padding:6px 6px 6px 26px;
              margin:12px 0;font-size:13px}.headline{margin:4px 0 8px;font-size:14px}.headline small{color:#666}
            .quarantined-row{fill:url(#quarantine-hatch)}.slot-label.quarantined{fill:#b00020;font-weight:600}
            .quarantine-note{fill:#b00020;font-size:11px}
            .no-supervisor{fill:#000;fill-opacity:.08}.no-supervisor-over{fill:#fff;fill-opacity:.55;
              pointer-events:none;stroke:#888;stroke-dasharray:3 3}
            #script-errors{background:#fee;color:#900;border:1px solid #d88;padding:6px}
            .counts{display:flex;gap:12px;flex-wrap:wrap}
            .card{border:1px solid #e3e3e3;border-radius:6px;padding:8px 14px;min-width:120px}
            .card b{display:block;font-size:22px}.card span{color:#666;font-size:12px}
            .card.completed b{color:#2ca02c}.card.failed b{color:#d62728}
            table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;
              text-align:left;vertical-align:top}th{background:#f6f6f6}td.num{text-align:right;
              font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.significant td{background:#fff8e1}.note{color:#666;font-size:12px;margin:0 0 6px}
            #attempts td.reason{max-width:320px;word-break:break-word}#attempts td.metrics span{white-space:nowrap}
            #attempts tr:target td{background:#fff3b0}
            .verdict{color:#fff;padding:1px 6px;border-radius:8px;font-size:12px;white-space:nowrap}
            .legend{font-size:12px;color:#444;margin:4px 0}.key{margin-right:12px;white-space:nowrap}
            .key i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;
              vertical-align:-1px}.key.absent{color:#aaa}.key.absent i{opacity:.35}
            svg.chart{display:block;font-size:12px}.grid{stroke:#e6e6e6}.tick{fill:#666;font-size:11px}
            .slot-label,.model-label{fill:#333;font-size:12px}.model-label{font-size:13px;font-weight:600}
            .bar-label{fill:#fff;font-size:10px;pointer-events:none}.bar:hover{stroke:#000;stroke-width:1.5}
            .panels{display:flex;flex-wrap:wrap;gap:8px}.panel-title{font-weight:600;font-size:13px;fill:#222}
            .axis-title{fill:#555;font-size:11px}.curve:hover polyline{stroke-width:3;stroke-opacity:1}
            .empty{color:#999;fill:#999}
            .box{fill:#dfe9f5;stroke:#6b8fb8}.median{stroke:#2b4e7a;stroke-width:2}.whisker{stroke:#6b8fb8}
            .dot{fill:#1f77b4;fill-opacity:.65;stroke:#fff}.ci{stroke:#222;stroke-width:2}.mean{fill:#222}
            .row-stats{fill:#333;font-size:12px;font-variant-numeric:tabular-nums}
            .best-label{fill:#2ca02c;font-size:12px;font-weight:600}tr.best td{background:#eef8ee}
            .badge{font-size:11px;padding:0 6px;border-radius:8px;color:#fff;white-space:nowrap}
            .badge.best{background:#2ca02c}.badge.eliminated{background:#999}
            td.param{white-space:nowrap;color:#444}.curve-metric h3{font-size:14px;margin:10px 0 4px}
            .continued{fill:#fff;stroke:#333;stroke-width:.8;pointer-events:none}
            """;
}
