package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How an attempt's end is judged, and what the run does next: retry, give up, stop. */
@Tag("e2e")
class VerdictTest extends EndToEndTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("crash", "0", "exit 1"),
                Arguments.of("signal", "SEGV", "signal 11"),
                Arguments.of("signal", "KILL", "signal 9"),
                Arguments.of("no-result", "0", "result.json"),
                Arguments.of("garbage", "0", "not valid JSON"),
                Arguments.of("nan", "0", "accuracy is not a finite number"),
                Arguments.of("string-metric", "0", "accuracy is not a finite number"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("failures")
    void failedAttemptIsRetriedUpToMaxAttemptsWithAReasonNamingTheProblem(String mode, String arg, String reason) {
        RunDir run = newRun(mode + "-" + arg);
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--max-attempts", "2"), TestWorker.command(mode, arg)));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        List<JsonNode> ends = run.ends();
        assertThat(ends).hasSize(2);
        for (JsonNode end : ends) {
            assertThat(end.get("verdict").asText()).isEqualTo("failed");
            assertThat(end.get("reason").asText()).contains(reason);
        }
        assertThat(run.launches()).extracting(l -> l.get("attempt").asInt()).containsExactly(1, 2);
        assertThat(workerStarts()).isEqualTo(2);
        assertThat(run.results()).isEmpty();
        JsonNode summary = run.summary();
        assertThat(summary.get("completed").asInt()).isZero();
        assertThat(summary.get("attempts").asInt()).isEqualTo(2);
        assertThat(summary.get("failed_attempts").asInt()).isEqualTo(2);
    }

    @Test
    void flakyReplicateCompletesOnItsSecondAttemptOnAnotherGpu() {
        RunDir run = newRun("flaky");
        var o = supervisor().run(args(run, List.of("--folds", "2", "--replicates", "1", "--max-attempts", "3"),
                TestWorker.command("flaky", "0", "{gpu}", "{attempt}")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<JsonNode> launches = run.launches();
        assertThat(launches).hasSize(2);
        assertThat(workerStarts()).isEqualTo(2);
        String first = launches.get(0).get("gpu").asText();
        String second = launches.get(1).get("gpu").asText();
        assertThat(second).as("GPU of the retry").isNotEqualTo(first);
        assertThat(run.ends()).extracting(e -> e.get("verdict").asText()).containsExactly("failed", "completed");
        WorkerRecord retry = WorkerRecord.of(run.attemptDir(0, 2));
        assertThat(retry.env("CUDA_VISIBLE_DEVICES")).isEqualTo(second);
        assertThat(retry.env("ISOFOLD_GPU")).isEqualTo(second);
        assertThat(retry.env("ISOFOLD_ATTEMPT")).isEqualTo("2");
        // the placeholders too come from the slot the retry runs on, not from the first attempt
        assertThat(retry.argv()).containsExactly("flaky", "0", second, "2");
        assertThat(WorkerRecord.of(run.attemptDir(0, 1)).argv()).containsExactly("flaky", "0", first, "1");
        var rows = run.results();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("attempt")).isEqualTo("2");
        assertThat(rows.get(0).get("gpu")).isEqualTo(second);
    }

    @Test
    void attemptBudgetCapsTheAttemptsOfTheWholeRun() {
        RunDir run = newRun("budget");
        // 3 replicates x 3 attempts would be 9; two slots, so running attempts must count against the budget too
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--cpu-workers", "2", "--folds", "3",
                "--max-attempts", "3", "--attempt-budget", "4"), TestWorker.command("crash")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(run.launches()).hasSize(4);
        assertThat(workerStarts()).isEqualTo(4);
    }

    @Test
    void defaultAttemptBudgetIsTwiceTheReplicates() {
        RunDir run = newRun("default-budget");
        // --retry-identical 0: failures alike are retried, as far as the budget goes
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--max-attempts", "10",
                "--retry-identical", "0"), TestWorker.command("crash")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(run.launches()).hasSize(4);
        assertThat(workerStarts()).isEqualTo(4);
    }

    @Test
    void badTaskIsNotRetriedAndStopsTheRunWithTheWorkersStderr() {
        RunDir run = newRun("bad-task");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--max-attempts", "3"),
                TestWorker.command("bad-task")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(run.launches()).hasSize(1);
        assertThat(workerStarts()).isEqualTo(1);
        JsonNode end = run.ends().get(0);
        assertThat(end.get("verdict").asText()).isEqualTo("bad-task");
        assertThat(o.stderr()).contains("isofold:").contains("testworker: the task names an unknown architecture");
        List<JsonNode> runEnds = new ArrayList<>(run.events("run-end"));
        assertThat(runEnds).hasSize(1);
        assertThat(runEnds.get(0).get("exit_status").asInt()).isEqualTo(2);
    }
}
