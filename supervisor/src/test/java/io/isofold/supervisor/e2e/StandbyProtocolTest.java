package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Standby workers that do not keep the protocol, as real worker commands do (issue 21, items 5 and 8). */
@Tag("e2e")
class StandbyProtocolTest extends EndToEndTest {

    /**
     * A standby that follows the protocol, then unsets ISOFOLD_STANDBY and starts a daemon in a session of
     * its own: the daemon carries the attempt's ISOFOLD_ATTEMPT_DIR from the handoff, and is the attempt's.
     * The after-test check fails if any such daemon outlives the run (it did: only ISOFOLD_STANDBY was looked for).
     */
    @Test
    void aHandedOffStandbysDaemonIsEndedWithItsAttempt() {
        RunDir run = newRun("standby-daemon");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--gpus", "none", "--folds", "2", "--replicates", "3", "--standby", "--kill-grace", "1s"),
                TestWorker.command("grandchild")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(run.workerRecords()).anyMatch(WorkerRecord::standby);
        assertThat(run.liveProcesses()).as("daemons of attempts that ran as standbys").isEmpty();
    }

    /**
     * A --standby command that runs the task it was told to expect instead of waiting for its own: it is
     * caught before it is handed an attempt (it was handed one, and failed it: "exited 0 without writing
     * result.json"), and standbys are off from then on.
     */
    @Test
    void aStandbyThatRunsItsExpectedTaskIsNeverHandedAnAttempt() {
        RunDir run = newRun("standby-ignores");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--gpus", "none", "--folds", "2", "--replicates", "4", "--standby"),
                TestWorker.command("ignore-standby", "5")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(outcome.stdout()).contains("a standby worker wrote progress.jsonl before it was given a task")
                .contains("standby workers are off for the rest of this run");
        assertThat(run.ends()).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("completed"));
        assertThat(run.launches()).noneMatch(l -> l.has("standby_since"));
    }
}
