package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isofold.supervisor.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: a retry continues from the replicate's checkpoint instead of training from zero. With the
 * built-in worker: after a supervisor SIGKILL its successor ends where an uninterrupted run ends, to 1e-6;
 * after a --timeout the epochs trained over all attempts are those needed, plus one per cut. With the test
 * worker: what each attempt's directory holds, --no-continue, a poisoned checkpoint set aside.
 */
@Tag("e2e")
class ContinueRunTest extends EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A small mlp, 12 epochs, no early stop, one thread (--cpu-workers 2 on 2 cores): results repeat exactly. */
    private List<String> smallMlp(RunDir run) throws IOException {
        Path models = tmp.resolve("small-mlp.json");
        Files.writeString(models, "[{\"name\": \"small\", \"architecture\": \"mlp\", \"units\": [32], \"epochs\": 12,"
                + " \"patience\": 12, \"batch_size\": 128}]");
        return List.of("--out", run.dir().toString(), "--gpus", "none", "--cpu-workers", "2", "--folds", "2",
                "--replicates", "1", "--models", models.toString(), "--no-save-model", "--kill-grace", "20s");
    }

    @Test
    void afterASigkillOfSupervisorAndWorkerTheRetryContinuesAndEndsAsAnUninterruptedRun() throws Exception {
        RunDir whole = newRun("uninterrupted");
        SupervisorProcess.Outcome plain = supervisor().timeout(Duration.ofMinutes(5)).run(smallMlp(whole));
        assertThat(plain.exitCode()).as(plain.toString()).isZero();

        RunDir cut = newRun("cut");
        var first = supervisor().timeout(Duration.ofMinutes(5)).start(smallMlp(cut));
        Path progress = cut.attemptDir(0, 1).resolve("progress.jsonl");
        Await.until("epoch 3 in the progress file", Duration.ofMinutes(3), () -> epochsIn(progress) >= 3);
        // the whole tree dies at once, as with a kill of the session: a worker left running would notice its
        // supervisor gone and stop within half a second, but a small fast model can finish in that time, and
        // then there is nothing to continue (that path has its own test, in the worker's ContinueTest)
        List<ProcessHandle> tree = ProcessHandle.of(first.pid()).orElseThrow().descendants().toList();
        tree.forEach(p -> SupervisorProcess.signal("STOP", p.pid()));
        first.signal("KILL");
        assertThat(first.await().exitCode()).isEqualTo(137);
        tree.forEach(p -> SupervisorProcess.signal("KILL", p.pid()));
        Await.until("the worker gone", Duration.ofMinutes(1),
                () -> tree.stream().noneMatch(p -> RunDir.alive(p.pid())));
        SupervisorProcess.Outcome resumed = supervisor().timeout(Duration.ofMinutes(5))
                .run("resume", cut.dir().toString());
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();

        JsonNode second = cut.ends().stream().filter(e -> e.get("attempt").asInt() == 2).findFirst().orElseThrow();
        assertThat(second.get("verdict").asText()).isEqualTo("completed");
        assertThat(second.path("continued_from").path("epoch").asInt()).as("where attempt 2 went on from")
                .isGreaterThanOrEqualTo(3);
        JsonNode a = plain.exitCode() == 0 ? endOf(whole, 1) : null;
        for (String metric : List.of("val_loss", "val_accuracy", "loss")) {
            assertThat(second.path("metrics").path(metric).asDouble()).as(metric)
                    .isCloseTo(a.path("metrics").path(metric).asDouble(), within(1e-6));
        }
        assertThat(cut.dir().resolve("replicates/0/checkpoint")).as("a completed replicate's checkpoints go")
                .doesNotExist();
    }

    @Test
    void aRetryAfterATimeoutTrainsOnlyWhatIsLeft() throws Exception {
        RunDir run = newRun("timeout");
        List<String> args = new ArrayList<>(smallMlp(run));
        args.addAll(List.of("--timeout", "8s", "--max-attempts", "20", "--attempt-budget", "20"));
        SupervisorProcess.Outcome o = supervisor().timeout(Duration.ofMinutes(8)).run(args);
        assertThat(o.exitCode()).as(o.toString()).isZero();

        List<JsonNode> ends = run.ends();
        long cuts = ends.stream().filter(e -> e.get("verdict").asText().equals("timeout")).count();
        int trained = 0;
        for (JsonNode e : ends) {
            Path p = run.attemptDir(0, e.get("attempt").asInt()).resolve("progress.jsonl");
            trained += epochsIn(p) - e.path("continued_from").path("epoch").asInt(0);
        }
        // each cut may cost the epoch it was in; a fresh start would cost every epoch before it
        assertThat(trained).as("epochs trained over %d attempts, %d cut", ends.size(), cuts)
                .isLessThanOrEqualTo(12 + (int) cuts);
        if (cuts > 0) {
            assertThat(ends.get(ends.size() - 1).path("continued_from").path("epoch").asInt())
                    .as("the last attempt continued").isPositive();
        }
    }

    @Test
    void eachAttemptGetsWhatTheLastLeftUnlessNoContinue() throws Exception {
        RunDir kept = newRun("kept");
        var o = supervisor().run(args(kept, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--keep-checkpoints"), TestWorker.command("ckpt-flaky")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(record(kept, 2)).containsEntry("checkpoint", "state ");
        assertThat(kept.launches()).extracting(l -> l.path("checkpoint").asText()).containsExactly("none", "kept");
        assertThat(kept.dir().resolve("replicates/0/checkpoint/state")).as("--keep-checkpoints").exists();

        RunDir fresh = newRun("fresh");
        var n = supervisor().run(args(fresh, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--no-continue"), TestWorker.command("ckpt-flaky")));
        assertThat(n.exitCode()).as(n.toString()).isZero();
        assertThat(record(fresh, 2)).containsEntry("checkpoint", "");
        assertThat(fresh.launches()).extracting(l -> l.path("checkpoint").asText()).containsExactly("none", "emptied");
        assertThat(fresh.dir().resolve("replicates/0/checkpoint")).as("deleted once completed").doesNotExist();
    }

    /** A checkpoint that two attempts in a row failed from, unchanged, is set aside: it cannot eat the retries. */
    @Test
    void aPoisonedCheckpointIsSetAsideAndTheNextAttemptStartsFresh() {
        RunDir run = newRun("poison");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--max-attempts", "5", "--attempt-budget", "10", "--retry-identical", "0", "--keep-checkpoints"),
                TestWorker.command("ckpt-poison")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.launches()).extracting(l -> l.path("checkpoint").asText())
                .containsExactly("none", "kept", "kept", "set-aside");
        assertThat(run.dir().resolve("replicates/0/checkpoint.set-aside/state")).as("kept for the post-mortem").exists();
    }

    private static Map<String, String> record(RunDir run, int attempt) throws IOException {
        Map<String, String> kv = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(run.attemptDir(0, attempt).resolve("testworker.txt"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return kv;
    }

    private static JsonNode endOf(RunDir run, int attempt) {
        return run.ends().stream().filter(e -> e.get("attempt").asInt() == attempt).findFirst().orElseThrow();
    }

    /** The highest epoch an end-of-epoch line of the progress file names; 0 when none. */
    private static int epochsIn(Path progress) {
        int most = 0;
        try {
            for (String line : Files.readAllLines(progress)) {
                JsonNode n = JSON.readTree(line);
                if (n.has("val_loss") && !n.has("batch") && !n.has("phase")) {
                    most = Math.max(most, n.get("epoch").asInt());
                }
            }
        } catch (IOException notYet) {
            return most;
        }
        return most;
    }
}
