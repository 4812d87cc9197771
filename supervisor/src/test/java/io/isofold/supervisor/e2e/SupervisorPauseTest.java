package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.supervisor.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A supervisor stopped (SIGSTOP: a suspended terminal job, a debugger, a frozen container) while its
 * worker finishes, and continued after the worker's --timeout has passed: the worker's own exit decides
 * (issue 21, item 13). It got a timeout kill line and a duration of the whole pause.
 */
@Tag("e2e")
class SupervisorPauseTest extends EndToEndTest {

    @Test
    void anAttemptThatEndedWhileTheSupervisorWasStoppedIsJudgedByItsExit() throws Exception {
        RunDir run = newRun("paused");
        var started = supervisor().start(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--timeout", "8s"), TestWorker.command("ok", "1")));
        Path attempt = run.attemptDir(0, 1);
        Await.until("the worker started", () -> Files.exists(attempt.resolve("testworker.txt")));
        started.signal("STOP");
        Instant launched;
        Instant ended;
        try {
            // the worker ends while nobody watches, and the --timeout runs out well after that
            Await.until("the worker ended", () -> Files.exists(attempt.resolve("exit_status")));
            launched = Instant.parse(run.launches().get(0).get("time").asText());
            ended = Files.getLastModifiedTime(attempt.resolve("exit_status")).toInstant();
            Await.until("a pause past --timeout", Duration.ofSeconds(60),
                    () -> Duration.between(launched, Instant.now()).toMillis() > 9_500);
        } finally {
            started.signal("CONT");
        }
        SupervisorProcess.Outcome outcome = started.await();

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(run.events("kill")).isEmpty();
        JsonNode end = run.ends().get(0);
        assertThat(end.get("verdict").asText()).isEqualTo("completed");
        // the worker's own run, up to when its wrapper wrote the status, not the pause
        assertThat(end.get("duration_s").asDouble()).isCloseTo(Duration.between(launched, ended).toMillis() / 1000.0,
                org.assertj.core.api.Assertions.within(1.0));
    }

}
