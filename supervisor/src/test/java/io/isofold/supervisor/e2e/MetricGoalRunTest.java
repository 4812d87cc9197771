package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A custom regression worker whose two variants report rmse: "wide" has the higher, so the worse, rmse. The
 * run must not call wide the winner, must say the direction came from --metric (or was guessed, without it),
 * and must keep a metric named "gpu" from giving results.csv two gpu columns. The same holds when the
 * results are rebuilt from the directory ({@code report DIR}, goals read back from run.json).
 */
@Tag("e2e")
class MetricGoalRunTest extends EndToEndTest {

    private Path variants() throws IOException {
        return Files.writeString(tmp.resolve("variants.json"),
                "[{\"name\":\"wide\",\"params\":{\"rmse\":0.5}},{\"name\":\"narrow\",\"params\":{\"rmse\":0.4}}]");
    }

    @Test
    void theLowerRmseWinsWhenMetricSaysMinAndAfterAReport() throws IOException {
        RunDir run = newRun("rmse-min");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run, List.of("--gpus", "none", "--cpu-workers", "2",
                "--folds", "3", "--models", variants().toString(), "--metric", "rmse:min"),
                TestWorker.command("params-metric")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(outcome.stdout()).contains("wide vs narrow: rmse ").contains("-> narrow ahead, more than noise\n")
                .doesNotContain("wide ahead").contains("rmse \u2193 ").contains("r2 \u2191?")
                .contains("note: the metric 'gpu' is the column 'metric_gpu' of results.csv");
        checkResults(run, false);

        // rebuilt from the directory alone: the goal comes back from run.json
        for (String f : List.of("results.csv", "summary.json", "report.html")) {
            Files.delete(run.file(f));
        }
        var report = supervisor().run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stdout()).contains("-> narrow ahead, more than noise\n").doesNotContain("wide ahead");
        checkResults(run, false);
        String html = Files.readString(run.file("report.html"));
        assertThat(html).contains("<h2>Distribution of rmse ").contains("rmse (lower is better)")
                .contains("<b>narrow ahead, more than noise</b>");

        var status = supervisor().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains(": complete\n").contains("narrow: rmse 0.4");
    }

    @Test
    void withoutMetricTheKnownNameGetsItRightAndIsMarkedGuessed() throws IOException {
        RunDir run = newRun("rmse-guessed");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run, List.of("--gpus", "none", "--cpu-workers", "2",
                "--folds", "3", "--models", variants().toString()), TestWorker.command("params-metric")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        // the table compares on the primary metric, r2 without --metric; rmse's guessed direction is in summary.json
        assertThat(outcome.stdout()).containsPattern("(?m)^#\\s+model\\s+param\\.rmse\\s+n\\s+r2 ")
                .contains("rmse \u2193?").contains("wide vs narrow: r2 ")
                .contains("-> narrow ahead, more than noise (guessed: higher is better)").doesNotContain("wide ahead");
        checkResults(run, true);
    }

    private static void checkResults(RunDir run, boolean guessed) throws IOException {
        String header = Files.readAllLines(run.file("results.csv")).get(0);
        // the variants' param "rmse" is a column of its own, never the metric's
        assertThat(header).isEqualTo("replicate,model,fold,attempt,gpu,duration_s,metric_gpu,r2,rmse,param.rmse");
        List<Map<String, String>> rows = run.results();
        assertThat(rows).hasSize(6).allSatisfy(r -> {
            assertThat(r.get("gpu")).isEqualTo("cpu");
            assertThat(r.get("metric_gpu")).isEqualTo("7.0");
        });

        JsonNode summary = run.summary();
        assertThat(summary.get("status").asText()).isEqualTo("complete");
        JsonNode rmse = summary.at("/comparisons/0/metrics/rmse");
        assertThat(summary.at("/comparisons/0/model_a").asText()).isEqualTo("wide");
        assertThat(rmse.get("mean_difference").asDouble()).as("wide's rmse is higher").isPositive();
        assertThat(rmse.get("better").asText()).isEqualTo("lower");
        assertThat(rmse.get("better_guessed").asBoolean()).isEqualTo(guessed);
        assertThat(rmse.get("verdict").asText()).isEqualTo("narrow ahead, more than noise");
        assertThat(summary.at("/comparisons/0/metrics/r2/verdict").asText()).startsWith("narrow ahead");
        assertThat(summary.at("/comparisons/0/metrics/r2/better_guessed").asBoolean()).isTrue();
        assertThat(summary.at("/directions/rmse/basis").asText()).isEqualTo(guessed ? "name" : "--metric");
        assertThat(summary.get("primary_metric").asText()).isEqualTo(guessed ? "r2" : "rmse");
        assertThat(summary.at("/results_csv_columns/gpu").asText()).isEqualTo("metric_gpu");
        assertThat(summary.get("notes").toString()).contains("metric_gpu");
        assertThat(summary.at("/models/narrow/metrics/gpu/mean").asDouble()).isEqualTo(7.0);
    }
}
