package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 4: results with many metrics (per-class accuracy over ImageNet's 1,000 classes is an
 * ordinary one) under the supervisor's own small heap, the one scripts/run.sh gives it. Before, a
 * result with more than 1,000 metrics failed every attempt, a run of 800 replicates with 500 metrics
 * each left report.html at "399/800, running" (the report ran out of memory), and {@code report DIR}
 * ran out of memory at 500 attempts with 500 metrics.
 */
@Tag("e2e")
class ManyMetricsTest extends EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reportAndStatusOf800AttemptsWith500MetricsEachFitTheSupervisorsHeap() throws IOException {
        RunDir run = newRun("many-metrics-journal");
        writeFinishedRun(run, 800, 500);

        SupervisorProcess.Outcome report = supervisorWithItsHeap().run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stderr()).as(report.toString()).doesNotContainIgnoringCase("memory");
        assertThat(report.stdout()).contains("800/800 replicates completed");
        JsonNode summary = run.summary();
        assertThat(summary.get("status").asText()).isEqualTo("complete");
        assertThat(summary.get("completed").asInt()).isEqualTo(800);
        assertThat(summary.at("/models/custom/metrics").size()).as("summary.json has every metric").isEqualTo(500);
        List<String> csv = Files.readAllLines(run.file("results.csv"));
        assertThat(csv).hasSize(801);
        assertThat(csv.get(0).split(",")).hasSize(6 + 500);
        assertThat(csv.get(800).split(",")).hasSize(6 + 500);
        assertThat(csv.get(800)).endsWith(",1.499");
        String html = Files.readString(run.file("report.html"));
        assertThat(html).contains("800/800 completed, complete").contains("shows 20 of the run's 500 metrics");
        // the page repeats a few metrics per attempt, not all of them: 800 x 500 values would be megabytes
        assertThat(html).doesNotContain("m0000499");
        assertThat(html.length()).isLessThan(3_000_000);

        SupervisorProcess.Outcome status = supervisorWithItsHeap().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains(run.dir() + ": complete").contains("completed 800/800");
        SupervisorProcess.Outcome json = supervisorWithItsHeap().run("status", "--json", run.dir().toString());
        assertThat(json.exitCode()).as(json.toString()).isZero();
        assertThat(JSON.readTree(json.stdout()).at("/metrics/custom").size()).isEqualTo(500);
    }

    @Test
    void aRunOf800ReplicatesWith500MetricsEachEndsWithItsReportComplete() throws IOException {
        RunDir run = newRun("many-metrics-run");
        Path result = tmp.resolve("result-500.json");
        Files.writeString(result, metricsJson(500, 0));
        // cp as the worker: 800 attempts in well under a minute even on a loaded machine
        SupervisorProcess.Outcome o = supervisorWithItsHeap().timeout(Duration.ofMinutes(8)).run(args(run,
                List.of("--gpus", "none", "--folds", "5", "--replicates", "800", "--cpu-workers", "4"),
                List.of("--", "cp", result.toString(), "{result}")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(Files.readString(run.file("supervisor.log"))).doesNotContainIgnoringCase("OutOfMemory");
        assertThat(run.summary().get("completed").asInt()).isEqualTo(800);
        assertThat(run.summary().get("status").asText()).isEqualTo("complete");
        assertThat(run.results()).hasSize(800);
        assertThat(Files.readString(run.file("report.html"))).contains("800/800 completed, complete");
    }

    @Test
    void aResultWith5000MetricsCompletesAndTheReportsSayWhereTheyAllAre() throws IOException {
        RunDir run = newRun("5000-metrics");
        SupervisorProcess.Outcome o = supervisorWithItsHeap().run(args(run,
                List.of("--gpus", "none", "--folds", "2"), TestWorker.command("many-metrics", "5000")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<String> csv = Files.readAllLines(run.file("results.csv"));
        assertThat(csv).hasSize(3);
        assertThat(csv.get(0)).endsWith(",m0004999");
        assertThat(csv.get(0).split(",")).hasSize(6 + 5000);
        assertThat(run.summary().at("/models/custom/metrics").size()).isEqualTo(5000);
        assertThat(run.summary().at("/metrics/m0004999/mean").asDouble()).isCloseTo(1.499, within(1e-12));
        // the end-of-run table shows a few and says where the rest are
        assertThat(o.stdout()).contains("4996 more metrics in summary.json");
        String html = Files.readString(run.file("report.html"));
        assertThat(html).contains("shows 20 of the run's 5000 metrics").doesNotContain("m0004999");
        SupervisorProcess.Outcome status = supervisorWithItsHeap().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains("(4996 more in summary.json)").doesNotContain("m0004999");
    }

    @Test
    void aResultOverTheLimitFailsWithTheLimitNamedAndAMillionMetricsDoNotHurtTheSupervisor() {
        RunDir over = newRun("10001-metrics");
        SupervisorProcess.Outcome o = supervisorWithItsHeap().run(args(over, List.of("--gpus", "none",
                "--replicates", "1", "--folds", "2", "--max-attempts", "1"),
                TestWorker.command("many-metrics", "10001")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(over.ends()).singleElement().satisfies(e -> assertThat(e.get("reason").asText())
                .isEqualTo("result.json has more than 10000 metrics, the most a result may report (docs/limits.md)"));

        RunDir absurd = newRun("million-metrics");
        o = supervisorWithItsHeap().run(args(absurd, List.of("--gpus", "none", "--replicates", "1", "--folds", "2",
                "--max-attempts", "1"), TestWorker.command("many-metrics", "1000000")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.stderr()).doesNotContainIgnoringCase("memory");
        assertThat(absurd.ends()).singleElement().satisfies(e -> assertThat(e.get("reason").asText())
                .startsWith("result.json has more than 10000 metrics"));
    }

    @Test
    void tenThousandMetricsWithTheLongestNamesAllEscapedReadBackFromTheJournal() throws IOException {
        RunDir run = newRun("longest-names");
        // every name 200 characters, each one the journal writes as six bytes (\u0001): the longest line there is
        StringBuilder result = new StringBuilder("{\"metrics\":{");
        for (int i = 0; i < 10_000; i++) {
            String name = String.format("%05d", i) + "\\u0001".repeat(195);
            result.append(i == 0 ? "" : ",").append('"').append(name).append("\":0.5");
        }
        Path file = tmp.resolve("longest.json");
        Files.writeString(file, result.append("}}").toString());
        SupervisorProcess.Outcome o = supervisorWithItsHeap().run(args(run, List.of("--gpus", "none",
                "--replicates", "1", "--folds", "2"), List.of("--", "cp", file.toString(), "{result}")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(Files.size(run.file("journal.jsonl"))).as("over the 8 MiB a journal line could be before")
                .isGreaterThan(8L << 20);

        SupervisorProcess.Outcome report = supervisorWithItsHeap().run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stderr()).doesNotContain("skipped");
        assertThat(run.summary().get("completed").asInt()).isEqualTo(1);
        assertThat(run.summary().get("status").asText()).isEqualTo("complete");
    }

    /** A supervisor JVM with the heap and collector options scripts/run.sh gives the supervisor. */
    private SupervisorProcess supervisorWithItsHeap() {
        SupervisorProcess p = supervisor();
        supervisorOptions().forEach(p::jvmOption);
        return p;
    }

    /** The options of scripts/run.sh's {@code supervisor_opts}, read from the script, so this test follows it. */
    static List<String> supervisorOptions() {
        Path script = Path.of(System.getProperty("isofold.home", "..")).resolve("scripts/run.sh");
        try {
            Matcher m = Pattern.compile("supervisor_opts=\\(([^)]*)\\)").matcher(Files.readString(script));
            assertThat(m.find()).as("supervisor_opts in " + script).isTrue();
            List<String> options = List.of(m.group(1).trim().split("\\s+"));
            assertThat(options).anyMatch(o -> o.startsWith("-Xmx"));
            return options;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {"metrics": {"m0000000": ..., ...}} with {@code n} metrics. */
    private static String metricsJson(int n, int replicate) {
        StringBuilder json = new StringBuilder("{\"metrics\":{");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append(String.format("\"m%07d\":%d.%03d", i, replicate % 2, i % 1000));
        }
        return json.append("}}").toString();
    }

    /**
     * A run.json and a journal of a finished run of one model: {@code attempts} completed attempts with
     * {@code metrics} metrics each, as the run loop writes them.
     */
    private static void writeFinishedRun(RunDir run, int attempts, int metrics) throws IOException {
        Files.createDirectories(run.dir());
        ObjectNode spec = JSON.createObjectNode();
        spec.put("folds", 5).put("replicates", attempts).put("seed", 42);
        spec.putArray("models").addObject().put("name", "custom").put("architecture", "custom");
        spec.putArray("command").add("/bin/true");
        spec.put("out", run.dir().toString()).put("gpus", "none").put("cpu_workers", 1).put("backend", "local")
                .put("kill_grace", "10s").put("max_attempts", 3).put("attempt_budget", 2 * attempts);
        spec.putArray("metrics");
        Files.writeString(run.file("run.json"), spec.toPrettyString());
        Instant t0 = Instant.parse("2025-03-01T20:00:00Z");
        try (BufferedWriter journal = Files.newBufferedWriter(run.file("journal.jsonl"), StandardCharsets.UTF_8)) {
            ObjectNode start = JSON.createObjectNode().put("type", "run-start").put("time", t0.toString())
                    .put("pid", 1).put("host", "elsewhere").put("boot_id", "boot");
            start.set("spec", spec);
            line(journal, start);
            for (int r = 0; r < attempts; r++) {
                Instant at = t0.plusSeconds(r);
                ObjectNode launch = attempt("launch", at, r).put("slot", "cpu/0").put("gpu", "cpu")
                        .put("attempt_dir", run.attemptDir(r, 1).toString());
                line(journal, launch);
                ObjectNode end = attempt("end", at.plusMillis(900), r).put("exit_code", 0).put("verdict", "completed")
                        .put("duration_s", 0.9);
                end.set("metrics", JSON.readTree(metricsJson(metrics, r)).get("metrics"));
                line(journal, end);
            }
            line(journal, JSON.createObjectNode().put("type", "run-end")
                    .put("time", t0.plusSeconds(attempts).toString()).put("exit_status", 0));
        }
    }

    private static ObjectNode attempt(String type, Instant at, int replicate) {
        return JSON.createObjectNode().put("type", type).put("time", at.toString()).put("replicate", replicate)
                .put("model", "custom").put("index", replicate).put("fold", replicate % 5).put("shuffle", replicate / 5)
                .put("attempt", 1);
    }

    private static void line(BufferedWriter journal, JsonNode event) throws IOException {
        journal.write(JSON.writeValueAsString(event));
        journal.write('\n');
    }
}
