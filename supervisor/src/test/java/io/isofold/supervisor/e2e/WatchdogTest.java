package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The watchdogs: wall-clock timeout, kill grace, stall, memory, and the sweep of what a worker leaves
 * behind. The limits are short while the bounds the tests check are a minute wide (the machine is
 * shared with other builds): a watchdog that did not work would leave a worker sleeping for 300 s.
 */
@Tag("e2e")
class WatchdogTest extends EndToEndTest {

    @Test
    void timeoutKillsAHangingWorkerAndRetriesUpToMaxAttempts() {
        RunDir run = newRun("timeout");
        // a grace far longer than the bound below: a worker that obeys SIGTERM must not wait for it
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--timeout", "1s", "--kill-grace", "300s", "--max-attempts", "2"), TestWorker.command("hang")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        List<JsonNode> ends = run.ends();
        assertThat(ends).hasSize(2);
        for (JsonNode end : ends) {
            assertThat(end.get("verdict").asText()).isEqualTo("timeout");
            assertThat(end.get("reason").asText()).contains("timeout");
            assertThat(end.get("duration_s").asDouble()).isBetween(1.0, 60.0);
            assertThat(end.path("exit_code").asInt()).as("killed by SIGTERM").isEqualTo(143);
        }
        assertThat(run.events("kill")).hasSize(2).allSatisfy(k -> assertThat(k.get("verdict").asText()).isEqualTo("timeout"));
        assertThat(run.launches()).extracting(l -> l.get("attempt").asInt()).containsExactly(1, 2);
        assertThat(run.results()).isEmpty();
    }

    @Test
    void workerIgnoringSigtermIsKilledAfterTheGrace() {
        RunDir run = newRun("grace");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--timeout", "1s", "--kill-grace", "1s", "--max-attempts", "1"), TestWorker.command("hang-ignore-term")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        JsonNode end = single(run.ends());
        assertThat(end.get("verdict").asText()).isEqualTo("timeout");
        assertThat(end.path("exit_code").asInt()).as("killed by SIGKILL").isEqualTo(137);
        // timeout + grace, and far less than the 300 s the worker would sleep without SIGKILL
        assertThat(end.get("duration_s").asDouble()).isBetween(1.9, 60.0);
        Duration killToEnd = Duration.between(time(single(run.events("kill"))), time(end));
        assertThat(killToEnd).as("time between SIGTERM and the end").isBetween(Duration.ofMillis(900), Duration.ofSeconds(60));
    }

    @Test
    void stalledWorkerIsKilled() {
        RunDir run = newRun("stall");
        // --timeout as a backstop only: without the stall watchdog the verdict would be "timeout"
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--stall-timeout", "1s", "--timeout", "40s", "--kill-grace", "2s", "--max-attempts", "1"),
                TestWorker.command("stall")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        JsonNode end = single(run.ends());
        assertThat(end.get("verdict").asText()).isEqualTo("stall");
        assertThat(end.get("reason").asText()).contains("progress");
        assertThat(end.get("duration_s").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(run.attemptDir(0, 1).resolve("progress.jsonl")).isNotEmptyFile();
    }

    @Test
    void workerThatKeepsReportingProgressIsNotTakenForStalled() {
        RunDir run = newRun("progressing");
        // 8 s of progress lines 0.25 s apart: a stall clock that ran from the launch would kill it after 5 s.
        // The stall limit is well above the gaps between lines (and before the first) on a loaded machine.
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--stall-timeout", "5s", "--max-attempts", "1"), TestWorker.command("progressing", "8")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(single(run.ends()).get("verdict").asText()).isEqualTo("completed");
    }

    @Test
    void workerOverTheMemoryLimitIsKilled() {
        RunDir run = newRun("memory");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--max-memory", "100m", "--timeout", "40s", "--kill-grace", "2s", "--max-attempts", "1"),
                TestWorker.command("memory", "300")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        JsonNode end = single(run.ends());
        assertThat(end.get("verdict").asText()).isEqualTo("memory");
        assertThat(end.get("reason").asText()).contains("memory").contains("100m");
    }

    @Test
    void detachedGrandchildIsKilledAndTheAttemptStillCompletes() {
        RunDir run = newRun("grandchild");
        var o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--kill-grace", "1s"), TestWorker.command("grandchild")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        WorkerRecord worker = single(run.workerRecords());
        long grandchild = worker.grandchildPid();
        assertThat(grandchild).isPositive().isNotEqualTo(worker.pid());
        assertThat(RunDir.alive(grandchild)).as("grandchild %d alive", grandchild).isFalse();
        JsonNode end = single(run.ends());
        assertThat(end.get("verdict").asText()).isEqualTo("completed");
        assertThat(end.get("reason").asText()).contains("leftover");
        assertThat(run.results()).hasSize(1);
    }

    private static Instant time(JsonNode event) {
        return Instant.parse(event.get("time").asText());
    }

    private static <T> T single(List<T> list) {
        assertThat(list).hasSize(1);
        return new ArrayList<>(list).get(0);
    }
}
