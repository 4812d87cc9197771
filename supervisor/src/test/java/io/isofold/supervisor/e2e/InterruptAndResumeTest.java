package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A run stopped by a signal (or a supervisor that died) leaves a directory that a second supervisor
 * with the same spec resumes: workers killed, attempts recorded, the rest run.
 */
@Tag("e2e")
class InterruptAndResumeTest extends EndToEndTest {
    private static final List<String> SPEC = List.of("--gpus", "none", "--cpu-workers", "2", "--folds", "2",
            "--kill-grace", "2s", "--max-attempts", "1");

    @Test
    void sigtermKillsTheWorkersAndTheRunResumesWithoutLosingAnAttempt() {
        RunDir run = newRun("sigterm");
        var started = supervisor().start(args(run, SPEC, TestWorker.command("hang-first")));
        awaitWorkers(run, 2);

        // one supervisor per directory, while the first one runs
        var second = supervisor().run(args(run, SPEC, TestWorker.command("hang-first")));
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(2);
        assertThat(second.stderr().lines().toList()).singleElement().asString().startsWith("isofold: ")
                .contains("another supervisor");

        started.signal("TERM");
        var stopped = started.await();
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(143);
        assertThat(run.liveProcesses()).as("workers alive after SIGTERM").isEmpty();
        assertThat(run.ends()).hasSize(2).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("interrupted"));
        List<JsonNode> journal = run.journal();
        assertThat(journal.get(journal.size() - 1).get("type").asText()).isEqualTo("run-end");
        assertThat(journal.get(journal.size() - 1).get("exit_status").asInt()).isEqualTo(143);

        // --max-attempts 1: an interrupted attempt must not count, or the resume could launch nothing
        var resumed = supervisor().run(args(run, SPEC, TestWorker.command("hang-first")));
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.results()).hasSize(2).allSatisfy(r -> assertThat(r.get("attempt")).isEqualTo("2"));
    }

    @Test
    void sigintStopsTheRunWithExit130() {
        RunDir run = newRun("sigint");
        var started = supervisor().start(args(run, SPEC, TestWorker.command("hang")));
        awaitWorkers(run, 2);
        started.signal("INT");
        var stopped = started.await();
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
        assertThat(run.liveProcesses()).isEmpty();
        assertThat(run.ends()).hasSize(2).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("interrupted"));
    }

    @Test
    void resumeAfterTheSupervisorDiedKillsWhatItLeftAndFinishesTheRun() {
        RunDir run = newRun("killed");
        List<String> spec = List.of("--gpus", "none", "--cpu-workers", "2", "--folds", "2", "--kill-grace", "2s",
                "--max-attempts", "2");
        var started = supervisor().start(args(run, spec, TestWorker.command("hang-first")));
        List<WorkerRecord> first = awaitWorkers(run, 2);
        started.signal("KILL");
        assertThat(started.await().exitCode()).isEqualTo(137);
        // a dead supervisor cannot clean up: its workers, in sessions of their own, live on
        assertThat(first).allSatisfy(w -> assertThat(RunDir.alive(w.pid())).as("worker %d", w.pid()).isTrue());

        var resumed = supervisor().run(args(run, spec, TestWorker.command("hang-first")));
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(first).allSatisfy(w -> assertThat(RunDir.alive(w.pid())).as("worker %d", w.pid()).isFalse());
        assertThat(run.ends()).extracting(e -> e.get("verdict").asText())
                .containsExactlyInAnyOrder("supervisor-lost", "supervisor-lost", "completed", "completed");
        assertThat(run.results()).hasSize(2).allSatisfy(r -> assertThat(r.get("attempt")).isEqualTo("2"));
    }

    /** Waits until {@code n} workers have recorded themselves, so a signal meets them running. */
    private static List<WorkerRecord> awaitWorkers(RunDir run, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<WorkerRecord> workers = run.workerRecords();
            if (workers.size() >= n && run.launches().size() >= n) {
                return workers;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("fewer than " + n + " workers started within 60 s");
    }
}
