package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Standby workers (issue 12, item 1) with the test worker, which implements the handoff protocol as
 * docs/standby.md describes it: each slot's next worker is started while the slot's attempt runs, and is
 * handed its task when the slot frees; every attempt is still a process of its own.
 */
@Tag("e2e")
class StandbyRunTest extends EndToEndTest {

    @Test
    void eachAttemptAfterTheFirstIsAStandbyPinnedToItsSlotAndEveryAttemptIsAFreshProcess() throws Exception {
        RunDir run = newRun("standby");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--gpus", "1", "--folds", "2", "--replicates", "6", "--standby"), TestWorker.command("ok", "0.3")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(run.results()).hasSize(6);
        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(6);
        assertThat(workers).extracting(WorkerRecord::pid).doesNotHaveDuplicates();
        assertThat(workers).allSatisfy(w -> assertThat(w.env()).containsEntry("CUDA_VISIBLE_DEVICES", "1"));
        // the first attempt had no standby ready; the test worker waits 0.3 s, time enough for the next one to start
        assertThat(workers.stream().filter(WorkerRecord::standby).count()).isGreaterThanOrEqualTo(4);

        Map<String, JsonNode> launchByDir = run.launches().stream()
                .collect(Collectors.toMap(l -> l.get("attempt_dir").asText(), Function.identity()));
        for (WorkerRecord w : workers) {
            JsonNode launch = launchByDir.get(w.attemptDir().toString());
            assertThat(launch).as("the journal's launch of %s", w.attemptDir()).isNotNull();
            // it ran its own attempt: the handoff's variables, not the task it was told to expect
            assertThat(w.env()).containsEntry("ISOFOLD_ATTEMPT_DIR", w.attemptDir().toString())
                    .containsEntry("ISOFOLD_REPLICATE", launch.get("replicate").asText())
                    .doesNotContainKey("ISOFOLD_STANDBY");
            if (w.standby()) {
                Instant since = Instant.parse(launch.get("standby_since").asText());
                assertThat(since).isBefore(Instant.parse(launch.get("time").asText()));
                // its output from before the handoff is in the attempt's own files
                assertThat(w.attemptDir().resolve("stdout.log")).isRegularFile();
            } else {
                assertThat(launch.has("standby_since")).isFalse();
            }
            Path status = w.attemptDir().resolve("exit_status");
            assertThat(Files.isSymbolicLink(status)).isFalse();
            assertThat(Files.readString(status).strip()).isEqualTo("0");
        }
        assertThat(run.dir().resolve("standby")).as("standby folders are removed").doesNotExist();
        assertThat(run.file("report.html")).content().contains("standby");
    }

    @Test
    void aFailingStandbyAttemptIsJudgedByItsOwnExitStatus() {
        RunDir run = newRun("standby-flaky");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--gpus", "none", "--folds", "2", "--replicates", "3", "--standby", "--max-attempts", "2"),
                TestWorker.command("flaky", "0.3")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        List<JsonNode> failed = run.ends().stream().filter(e -> e.get("verdict").asText().equals("failed")).toList();
        assertThat(failed).hasSize(3).allSatisfy(e -> assertThat(e.get("exit_code").asInt()).isEqualTo(1));
        // at least one of them ran in a standby: its status came through the link the supervisor made
        assertThat(run.launches().stream().filter(l -> l.get("attempt").asInt() == 1 && l.has("standby_since")))
                .isNotEmpty();
    }

    @Test
    void aWorkerThatDoesNotWaitForItsTaskTurnsStandbysOffAndTheRunCompletes() {
        RunDir run = newRun("standby-dies");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--gpus", "none", "--folds", "2", "--replicates", "4", "--standby"),
                TestWorker.command("standby-dies", "0.5")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(run.results()).hasSize(4);
        assertThat(outcome.stdout()).contains("a standby worker exited before it was given a task (exit status 1)")
                .contains("standby-dies: a worker that does not wait for its task")
                .contains("standby workers are off for the rest of this run");
        assertThat(run.workerRecords()).noneMatch(WorkerRecord::standby);
        assertThat(run.ends()).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("completed"));
    }

    @Test
    void aStandbyLeftByADeadSupervisorIsEndedOnResume() throws Exception {
        RunDir run = newRun("standby-resume");
        List<String> spec = List.of("--gpus", "none", "--folds", "2", "--replicates", "3", "--standby",
                "--kill-grace", "2s");
        var started = supervisor().start(args(run, spec, TestWorker.command("ok", "3")));
        Path standbyDir = run.dir().resolve("standby");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!hasStandbyOutput(standbyDir) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(hasStandbyOutput(standbyDir)).as("a standby started").isTrue();
        started.signal("KILL");
        assertThat(started.await().exitCode()).isEqualTo(137);
        assertThat(run.liveProcesses()).as("the dead supervisor's attempt and standby live on").isNotEmpty();

        SupervisorProcess.Outcome resumed = supervisor().run("resume", run.dir().toString());
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.results()).hasSize(3);
        assertThat(standbyDir).doesNotExist();
    }

    @Test
    void resumeCanTurnStandbysOff() throws Exception {
        RunDir run = newRun("standby-resume-off");
        List<String> spec = List.of("--gpus", "none", "--folds", "2", "--replicates", "3", "--max-attempts", "1",
                "--standby");
        SupervisorProcess.Outcome first = supervisor().run(args(run, spec, TestWorker.command("flaky", "0.3")));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1); // attempt 1 fails: given up
        assertThat(standbyRecorded(run)).isTrue();

        SupervisorProcess.Outcome off = supervisor().run("resume", run.dir().toString(), "--max-attempts", "3",
                "--no-standby");
        assertThat(off.exitCode()).as(off.toString()).isZero();
        assertThat(standbyRecorded(run)).as("a later plain resume keeps the choice").isFalse();
        assertThat(run.launches().stream().filter(l -> l.get("attempt").asInt() == 2))
                .hasSize(3).noneMatch(l -> l.has("standby_since"));
    }

    private static boolean standbyRecorded(RunDir run) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.file("run.json").toFile())
                .path("standby").asBoolean();
    }

    @Test
    void standbyIsRefusedWhereItCannotWork() {
        RunDir run = newRun("standby-refused");
        SupervisorProcess.Outcome seed = supervisor().run(args(run, List.of("--gpus", "none", "--standby"),
                TestWorker.command("ok", "{seed}")));
        assertThat(seed.exitCode()).isEqualTo(2);
        assertThat(seed.stderr().strip()).isEqualTo("isofold: --standby: the worker command uses {seed}, which a "
                + "worker started before its task cannot know: take ISOFOLD_SEED from the handoff instead");

        SupervisorProcess.Outcome slurm = supervisor().run(args(run, List.of("--backend", "slurm", "--standby"),
                TestWorker.command("ok")));
        assertThat(slurm.exitCode()).isEqualTo(2);
        assertThat(slurm.stderr()).contains("--standby is for the local backend");
        assertThat(run.dir()).doesNotExist();
    }

    private static boolean hasStandbyOutput(Path standbyDir) {
        try (var dirs = Files.list(standbyDir)) {
            return dirs.anyMatch(d -> Files.exists(d.resolve("stderr.log")));
        } catch (java.io.IOException notYet) {
            return false;
        }
    }
}
