package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The {@code status} and {@code gpus} subcommands, on a finished run and on the fake GPUs. */
@Tag("e2e")
class StatusAndGpusCommandTest extends EndToEndTest {

    @Test
    void statusCountsAFinishedRun() throws IOException {
        RunDir run = newRun("status");
        // every replicate fails once, then completes: 3 completed, 6 attempts, 3 failed
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "3"), TestWorker.command("flaky")));
        assertThat(o.exitCode()).as(o.toString()).isZero();

        var text = supervisor().run("status", run.dir().toString());
        assertThat(text.exitCode()).as(text.toString()).isZero();
        // a complete run is "complete", not "stopped"; attempts counted as finished ones, in words
        assertThat(text.stdout()).contains(run.dir() + ": complete")
                .contains("completed 3/3, 6 finished attempts, 3 failed")
                .contains("custom: accuracy 0.9100 \u00b1 0.0100 std (n=3)");

        var json = supervisor().run("status", "--json", run.dir().toString());
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode s = new ObjectMapper().readTree(json.stdout());
        assertThat(s.get("state").asText()).isEqualTo("complete");
        assertThat(s.get("required").asInt()).isEqualTo(3);
        assertThat(s.get("completed").asInt()).isEqualTo(3);
        assertThat(s.get("attempts").asInt()).isEqualTo(6);
        assertThat(s.get("failed_attempts").asInt()).isEqualTo(3);
        assertThat(s.get("running")).isEmpty();
        assertThat(s.get("last_failures")).hasSize(3)
                .allSatisfy(f -> assertThat(f.get("verdict").asText()).isEqualTo("failed"));
    }

    @Test
    void statusWhileTheRunGoesShowsTheRunningAttemptsWithTheirLastEpoch() throws Exception {
        RunDir run = newRun("status-live");
        // the workers report progress until the test has seen the status, however long that takes
        java.nio.file.Path gate = tmp.resolve("gate");
        var started = supervisor().start(args(run, List.of("--folds", "2", "--gpus", "0,1"),
                TestWorker.command("until", gate.toString())));
        CrashSafetyTest.waitFor(() -> run.workerRecords().size() == 2 && progressLines(run) >= 2, Duration.ofSeconds(60));

        var json = supervisor().run("status", "--json", run.dir().toString());

        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode s = new ObjectMapper().readTree(json.stdout());
        assertThat(s.get("state").asText()).isEqualTo("running");
        assertThat(s.get("supervisor_pid").asLong()).isEqualTo(started.pid());
        assertThat(s.get("running")).hasSize(2);
        assertThat(s.get("running")).extracting(r -> r.get("slot").asText()).containsExactlyInAnyOrder("gpu0/0", "gpu1/0");
        assertThat(s.get("running")).allSatisfy(r -> {
            assertThat(r.get("epoch").asInt()).isPositive();
            assertThat(r.has("loss")).isTrue();
        });
        var text = supervisor().run("status", run.dir().toString());
        assertThat(text.stdout()).contains("running (supervisor pid " + started.pid() + ")").contains(", epoch ");
        Files.writeString(gate, "");
        assertThat(started.await().exitCode()).isZero();
    }

    private static long progressLines(RunDir run) {
        long n = 0;
        for (int r = 0; r < 2; r++) {
            try {
                n += Files.readAllLines(run.attemptDir(r, 1).resolve("progress.jsonl")).isEmpty() ? 0 : 1;
            } catch (IOException notYet) {
                // the worker has not written its first line
            }
        }
        return n;
    }

    @Test
    void reportRebuildsTheResultFilesFromTheJournal() throws IOException {
        RunDir run = newRun("report");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "3"), TestWorker.command("flaky")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        String csv = Files.readString(run.file("results.csv"));
        for (String f : List.of("results.csv", "summary.json", "report.html")) {
            Files.delete(run.file(f));
        }

        var report = supervisor().run("report", run.dir().toString());

        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stdout()).contains("3/3 replicates completed").contains("report.html");
        assertThat(Files.readString(run.file("results.csv"))).isEqualTo(csv);
        assertThat(run.summary().get("failed_attempts").asInt()).isEqualTo(3);
        assertThat(Files.readString(run.file("report.html"))).contains("<svg");
    }

    @Test
    void statusOfARunThatGaveUp() throws IOException {
        RunDir run = newRun("gave-up");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--max-attempts", "2"), TestWorker.command("crash")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        var json = supervisor().run("status", "--json", run.dir().toString());
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode s = new ObjectMapper().readTree(json.stdout());
        assertThat(s.get("required").asInt()).isEqualTo(1);
        assertThat(s.get("completed").asInt()).isZero();
        assertThat(s.get("attempts").asInt()).isEqualTo(2);
        assertThat(s.get("failed_attempts").asInt()).isEqualTo(2);
    }

    @Test
    void statusOfADirectoryWithoutARunIsRefused() {
        var o = supervisor().run("status", tmp.resolve("no-run-here").toString());
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).singleElement().asString().startsWith("isofold: ");
    }

    @Test
    void gpusListsTheFakeGpus() {
        var o = supervisor().run("gpus");
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<String> lines = o.stdout().lines().filter(l -> l.contains("Fake GPU")).toList();
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(lines.get(i)).startsWith(i + " ").contains("GPU-fake-" + i).contains("81559");
        }
    }

    @Test
    void gpusShowsWhatAnInheritedCudaVisibleDevicesHides() {
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "1,3").run("gpus");
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<String> lines = o.stdout().lines().filter(l -> l.contains("Fake GPU")).toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).contains("hidden by CUDA_VISIBLE_DEVICES");
        assertThat(lines.get(1)).doesNotContain("hidden");
        assertThat(lines.get(2)).contains("hidden by CUDA_VISIBLE_DEVICES");
        assertThat(lines.get(3)).doesNotContain("hidden");
        assertThat(o.stdout()).contains("--gpus all uses [1, 3]");
    }
}
