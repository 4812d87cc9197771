package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, what users of their own script lost: failures that repeat were retried to the end of the budget,
 * the fix (another command) was refused on resume, a resume depended on the folder it was typed in, and a
 * GPU quarantined for one fold's own crash stayed out after the fix.
 */
@Tag("e2e")
class OwnWorkerTest extends EndToEndTest {

    /** Run by the wrong interpreter, every attempt failed with "No module named 'torch'": 20 attempts for 10. */
    @Test
    void aWorkerThatFailsTheSameWayEverywhereStopsTheRunQuotingItOnceAndAResumeTakesTheFix() throws Exception {
        RunDir run = newRun("no-module");
        Path broken = executable(tmp.resolve("train.sh"), "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                + "echo \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "5"), List.of("--", broken.toString())));

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(run.launches()).as("not 10 attempts for 5 replicates").hasSizeLessThanOrEqualTo(5);
        assertThat(o.stderr()).contains("the first attempts of 3 replicates all failed the same way")
                .contains("No module named 'torch'").contains("cannot import a package");
        assertThat(o.stdout()).contains("resume " + run.dir() + " -- <the fixed worker command>");

        List<String> resume = new ArrayList<>(List.of("resume", run.dir().toString()));
        resume.addAll(TestWorker.command("ok"));
        var fixed = supervisor().run(resume);
        assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
        assertThat(run.results()).hasSize(5);
        assertThat(run.events("run-start").get(1).at("/spec/command/0").asText()).as("the journal records the new command")
                .isEqualTo(TestWorker.script().toString());
    }

    /** A script that prints its result instead of writing $ISOFOLD_RESULT: ten attempts "exited 0 without writing". */
    @Test
    void aResultPrintedInsteadOfWrittenIsNamedWithTheVariable() throws Exception {
        RunDir run = newRun("printed");
        Path printer = executable(tmp.resolve("printer.sh"), "#!/bin/sh\necho '{\"metrics\": {\"acc\": 0.9}}'\n");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "5"), List.of("--", printer.toString())));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.stderr()).contains("without writing result.json").contains("$ISOFOLD_RESULT").contains("{result}");
    }

    /**
     * A --param the worker never reads ran identical variants, reported as "no difference" without a hint: the
     * end-of-run table and summary.json now say which variants gave exactly the same results, and where to look.
     */
    @Test
    void variantsThatGaveTheSameResultsOnEveryFoldAreNamedWithAHint() throws Exception {
        RunDir run = newRun("param-ignored");
        // its result depends on the fold only, never on the lr it was given
        Path deaf = executable(tmp.resolve("deaf.sh"),
                "#!/bin/sh\nprintf '{\"metrics\": {\"acc\": 0.8%s}}' \"$ISOFOLD_FOLD\" > \"$ISOFOLD_RESULT\"\n");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "3", "--param", "lr=0.1,0.01,0.001"),
                List.of("--", deaf.toString())));

        assertThat(o.exitCode()).as(o.toString()).isZero();
        String hint = "variants lr-0.1, lr-0.01, lr-0.001 gave exactly the same results on every fold they share";
        assertThat(o.stdout()).contains(hint).contains("ISOFOLD_PARAMS");
        assertThat(run.summary().path("notes").toString()).contains(hint);
    }

    /** A run started with a relative worker command could not be resumed from another folder. */
    @Test
    void aResumeStartsWorkersInTheFolderTheRunWasStartedIn() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path script = executable(project.resolve("train.sh"), "#!/bin/sh\nexec " + TestWorker.script() + " \"$@\"\n");
        RunDir run = newRun("relative");
        var first = new SupervisorProcess(project, gpus).env("TESTWORKER_STARTS", tmp.resolve("s.log").toString())
                .run(args(run, List.of("--gpus", "none", "--folds", "3", "--max-attempts", "1"),
                        List.of("--", "./train.sh", "flaky")));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1); // attempt 1 of each fails: given up

        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        var resumed = new SupervisorProcess(elsewhere, gpus).run("resume", run.dir().toString(), "--max-attempts", "2");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.results()).hasSize(3);
        assertThat(run.workerRecords()).allSatisfy(w -> assertThat(w.env()).containsKey("ISOFOLD_SPLIT_SEED"));
    }

    /** One replicate's crashes quarantined a healthy GPU for the night, and a resume naming it could not bring it back. */
    @Test
    void aResumeNamingAQuarantinedGpuBringsItBack() throws Exception {
        RunDir run = newRun("lift");
        var first = supervisor().run(args(run, List.of("--folds", "4", "--replicates", "24", "--max-attempts", "5",
                "--gpus", "0,1,2,3"), TestWorker.command("crash-on-gpu", "1")));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(run.events("quarantine")).singleElement().satisfies(q -> assertThat(q.get("gpu").asText()).isEqualTo("1"));

        var again = supervisor().run("resume", run.dir().toString(), "--gpus", "0,1,2,3");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(run.events("quarantine-lifted")).singleElement()
                .satisfies(l -> assertThat(l.get("gpu").asText()).isEqualTo("1"));
        var status = supervisor().run("status", run.dir().toString());
        assertThat(status.stdout()).doesNotContain("GPU 1 quarantined");
    }

    private static Path executable(Path path, String text) throws java.io.IOException {
        Files.writeString(path, text);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
