package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isofold.shared.ReplicatePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The worker command runs directly, never through a shell: arguments arrive as given, placeholders filled in. */
@Tag("e2e")
class WorkerArgumentsTest extends EndToEndTest {

    @Test
    void literalArgumentsArriveByteForByteAndPlaceholdersAreSubstituted() {
        RunDir run = newRun("args");
        Path marker = tmp.resolve("shell-ran");
        List<String> literal = List.of("$(touch " + marker + ")", "`touch " + marker + "`", "a;b", "\"quoted\"", "'single'",
                "*", "{\"lr\": 0.1}", "two words", "", "{", "}", "{fold", "$HOME", "back\\slash");
        List<String> placeholders = List.of("{replicate}", "{fold}", "{folds}", "{attempt}", "{seed}", "{gpu}",
                "{attempt_dir}", "{result}", "x{fold}y{folds}", "{fold}{fold}", "{{fold}}");
        List<String> workerArgs = new ArrayList<>(List.of("0"));
        workerArgs.addAll(literal);
        workerArgs.addAll(placeholders);
        var o = supervisor().run(args(run, List.of("--folds", "3", "--replicates", "2", "--gpus", "2", "--seed", "7"),
                TestWorker.command("ok", workerArgs.toArray(String[]::new))));
        assertThat(o.exitCode()).as(o.toString()).isZero();

        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(2);
        for (WorkerRecord w : workers) {
            Path dir = w.attemptDir();
            int r = Integer.parseInt(dir.getParent().getFileName().toString());
            int fold = r % 3;
            List<String> expected = new ArrayList<>(List.of("ok", "0"));
            expected.addAll(literal);
            expected.addAll(List.of("" + r, "" + fold, "3", "1", Long.toString(ReplicatePlan.of(r, 3, 7).seed()), "2",
                    dir.toString(), dir.resolve("result.json").toString(), "x" + fold + "y3", "" + fold + fold,
                    "{" + fold + "}"));
            assertThat(w.argv()).as("argv of %s", dir).containsExactlyElementsOf(expected);
        }
        assertThat(marker).as("a shell ran the command substitution").doesNotExist();
    }

    /**
     * Issue 21 item 10: --param values arrive as typed, in {param.NAME}, in ISOFOLD_PARAMS and in the variant's
     * name, also for attempts a resume starts from what run.json recorded.
     */
    @Test
    void paramValuesArriveAsTypedAlsoAfterAResume() throws Exception {
        RunDir run = newRun("params-as-typed");
        List<String> options = List.of("--gpus", "none", "--folds", "2", "--replicates", "1", "--max-attempts", "1",
                "--param", "ver=1.10,1.1", "--param", "lr=0.0001", "--param", "ckpt=007",
                "--param", "id=12345678901234567890");
        var first = supervisor().run(args(run, options,
                TestWorker.command("flaky", "0", "{param.ver}", "{param.lr}", "{param.ckpt}", "{param.id}")));
        assertThat(first.exitCode()).as("attempt 1 of each fails: " + first).isEqualTo(1);
        var resumed = supervisor().run("resume", run.dir().toString(), "--max-attempts", "2");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();

        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(4);
        for (WorkerRecord w : workers) {
            String ver = w.env("ISOFOLD_MODEL").startsWith("ver-1.10_") ? "1.10" : "1.1";
            assertThat(w.env("ISOFOLD_MODEL")).isEqualTo("ver-" + ver + "_lr-0.0001_ckpt-007_id-12345678901234567890");
            assertThat(w.argv()).as("argv of %s", w.attemptDir())
                    .containsExactly("flaky", "0", ver, "0.0001", "007", "12345678901234567890");
            String json = w.env("ISOFOLD_PARAMS");
            JsonNode params = new ObjectMapper().readTree(json);
            assertThat(params.get("ver").isTextual()).as(json).isTrue();
            assertThat(params.get("ver").asText()).isEqualTo(ver);
            assertThat(params.get("ckpt").asText()).isEqualTo("007");
            assertThat(params.get("id").asText()).isEqualTo("12345678901234567890");
            assertThat(json).contains("\"lr\":0.0001");
        }
        assertThat(run.results()).extracting(r -> r.get("model"))
                .containsExactlyInAnyOrder("ver-1.10_lr-0.0001_ckpt-007_id-12345678901234567890",
                        "ver-1.1_lr-0.0001_ckpt-007_id-12345678901234567890");
    }
}
