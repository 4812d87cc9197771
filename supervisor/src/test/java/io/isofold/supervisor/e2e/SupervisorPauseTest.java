package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A supervisor stopped (SIGSTOP: a suspended terminal job, a debugger, a frozen container) while its
 * worker finishes, and continued after the worker's --timeout has passed: the worker's own exit decides
 * (issue 21, item 13). It got a timeout kill line and a duration of the whole pause.
 */
class SupervisorPauseTest extends EndToEndTest {

    @Test
    void anAttemptThatEndedWhileTheSupervisorWasStoppedIsJudgedByItsExit() throws Exception {
        RunDir run = newRun("paused");
        var started = supervisor().start(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--timeout", "4s"), TestWorker.command("ok", "1")));
        Path attempt = run.attemptDir(0, 1);
        waitFor(attempt.resolve("testworker.txt"));
        started.signal("STOP");
        try {
            // the worker ends while nobody watches, and the --timeout runs out well after that
            waitFor(attempt.resolve("exit_status"));
            Thread.sleep(5_000); // the point of the test: a pause longer than --timeout, after the worker ended
        } finally {
            started.signal("CONT");
        }
        SupervisorProcess.Outcome outcome = started.await();

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(run.events("kill")).isEmpty();
        JsonNode end = run.ends().get(0);
        assertThat(end.get("verdict").asText()).isEqualTo("completed");
        assertThat(end.get("duration_s").asDouble()).as("the worker's own run, not the pause").isLessThan(4.0);
    }

    private static void waitFor(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(file)) {
            assertThat(System.nanoTime()).as("waiting for %s", file).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
