package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.supervisor.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A resume killed while it ends what a dead supervisor left: its SIGTERM made the worker's wrapper record
 * 143, and the next resume took that for the worker's own failure ("killed by signal 15", counted against the
 * replicate) where no worker had failed: the supervisor was lost. Found by the chaos test under load.
 */
@Tag("e2e")
class ResumeKilledWhileSettlingTest extends EndToEndTest {

    @Test
    void theNextResumeStillJudgesTheAttemptLostWithItsSupervisor() throws Exception {
        RunDir run = newRun("settle-killed");
        List<String> spec = args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--kill-grace", "60s"), TestWorker.command("hang-stubborn-child"));
        var first = supervisor().start(spec);
        Path attempt = run.attemptDir(0, 1);
        Await.until("the worker runs", () -> Files.exists(attempt.resolve("progress.jsonl")));
        first.signal("KILL");
        assertThat(first.await().exitCode()).isEqualTo(137);

        // the resume ends the attempt: the worker dies of its SIGTERM, its child holds the kill for the grace
        var settling = supervisor().start(List.of("resume", run.dir().toString()));
        Await.until("the wrapper recorded the SIGTERM's status", () -> status(attempt).equals("143"));
        settling.signal("KILL");
        assertThat(settling.await().exitCode()).isEqualTo(137);

        SupervisorProcess.Outcome last = supervisor().run("resume", run.dir().toString(), "--kill-grace", "1s",
                "--timeout", "3s", "--max-attempts", "1");
        assertThat(last.exitCode()).as(last.toString()).isEqualTo(1); // the worker hangs every time: given up
        JsonNode end = run.ends().stream().filter(e -> e.get("attempt").asInt() == 1).findFirst().orElseThrow();
        assertThat(end.get("verdict").asText()).as(end.toString()).isEqualTo("supervisor-lost");
    }

    private static String status(Path attempt) {
        try {
            return Files.readString(attempt.resolve("exit_status")).strip();
        } catch (java.io.IOException notYet) {
            return "";
        }
    }
}
