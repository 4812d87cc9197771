package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mistakes a new user makes with a worker command, found before anything is created (issue 18, item 4):
 * each was found late (every attempt failing) or never (a placeholder passed on literally).
 */
@Tag("e2e")
class UpFrontChecksTest extends EndToEndTest {

    private SupervisorProcess.Outcome refused(RunDir run, List<String> options, List<String> worker) {
        var o = supervisor().run(args(run, options, worker));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).as(o.toString()).singleElement().asString().startsWith("isofold: ");
        assertThat(o.stdout() + o.stderr()).doesNotContain("Exception");
        assertThat(run.dir()).as("nothing created").doesNotExist();
        return o;
    }

    @Test
    void anUnknownPlaceholderIsRefusedNotPassedOnLiterally() {
        RunDir run = newRun("unknown-placeholder");
        var o = refused(run, List.of("--gpus", "none"), TestWorker.command("ok", "0", "--fold", "{fold_id}"));
        assertThat(o.stderr()).contains("{fold_id}").contains("{split_seed}");
    }

    @Test
    void aParamPlaceholderOfAParamNoVariantHasIsRefused() {
        RunDir run = newRun("missing-param");
        var none = refused(run, List.of("--gpus", "none"), TestWorker.command("ok", "0", "{param.lr}"));
        assertThat(none.stderr()).contains("{param.lr}").contains("has no param lr");
        var other = refused(run, List.of("--gpus", "none", "--param", "lr=0.1,0.01"),
                TestWorker.command("ok", "0", "{param.batch}"));
        assertThat(other.stderr()).contains("{param.batch}").contains("its params: lr");
    }

    @Test
    void aMetricGivenTwoWaysIsRefused() {
        RunDir run = newRun("metric-twice");
        var o = refused(run, List.of("--gpus", "none", "--metric", "acc:max", "--metric", "acc:min"),
                TestWorker.command("ok"));
        assertThat(o.stderr()).contains("acc:max and acc:min");
    }

    /** Without --, the worker's own options were read as isofold's, and the message did not say so. */
    @Test
    void aForgottenDoubleDashIsNamed() {
        RunDir run = newRun("no-dashes");
        String python = Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "python3" : "sh";
        for (List<String> typed : List.of(
                List.of("--gpus", "none", python, "train.py", "--out", "model.pt"),
                List.of("--gpus", "none", python, "train.py", "--seed", "{seed}"),
                List.of("--gpus", "none", python, "train.py", "--fold", "{fold}"))) {
            List<String> all = new ArrayList<>(List.of("--out", run.dir().toString()));
            all.addAll(typed);
            var o = supervisor().run(all);
            assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
            assertThat(o.stderr().lines().toList()).as(o.toString()).singleElement().asString()
                    .contains("if '" + python + "' starts the worker command, put -- before it");
        }
        assertThat(run.dir()).doesNotExist();
    }

    /** Issue 21 item 7: a variant whose params are a 20,000-word list failed every launch with E2BIG. */
    @Test
    void paramsTooLargeForTheKernelAreRefusedBeforeTheRun() throws IOException {
        RunDir run = newRun("huge-params");
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            words.append(i == 0 ? "" : ",").append("\"word").append(i).append('"');
        }
        java.nio.file.Path models = tmp.resolve("huge.json");
        Files.writeString(models, "[{\"name\": \"small\", \"params\": {\"n\": 1}},"
                + " {\"name\": \"huge\", \"params\": {\"vocabulary\": [" + words + "]}}]");
        var o = refused(run, List.of("--gpus", "none", "--models", models.toString()), TestWorker.command("ok"));
        assertThat(o.stderr()).contains("variant 'huge'").contains("ISOFOLD_PARAMS").contains("KiB");
    }

    @Test
    void aRaceOfOneVariantIsRefused() {
        RunDir run = newRun("race-of-one");
        var o = refused(run, List.of("--gpus", "none", "--race"), TestWorker.command("ok"));
        assertThat(o.stderr()).contains("--race needs two or more variants");
        refused(run, List.of("--gpus", "none", "--param", "lr=1,2", "--race", "--race-alpha", "2"),
                TestWorker.command("ok"));
        refused(run, List.of("--gpus", "none", "--param", "lr=1,2", "--race-burn-in", "4"), TestWorker.command("ok"));
    }

    @Test
    void aDryRunPrintsTheFirstAttemptsAndCreatesNothing() throws IOException {
        RunDir run = newRun("dry");
        var o = supervisor().run(args(run, List.of("--gpus", "0,1", "--folds", "3", "--param", "lr=0.1,0.01",
                "--dry-run"), TestWorker.command("ok", "{fold}", "{split_seed}", "{param.lr}")));

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.stdout()).contains("nothing is started or created")
                .contains("lr-0.1, replicate 0 (fold 0 of shuffle 0) on gpu0/0")
                .contains("lr-0.01, replicate 1 (fold 0 of shuffle 0) on gpu1/0")
                .contains("CUDA_VISIBLE_DEVICES=0").contains("CUDA_VISIBLE_DEVICES=1")
                .contains("ISOFOLD_SPLIT_SEED=").contains("ISOFOLD_CHECKPOINT_DIR=");
        assertThat(run.dir()).doesNotExist();
    }
}
