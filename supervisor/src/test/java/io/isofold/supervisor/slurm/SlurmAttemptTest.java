package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.WorkerExit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one attempt makes of the polls, without a cluster: the polls are handed to it. */
@Tag("unit")
class SlurmAttemptTest {
    @TempDir
    Path tmp;

    private final SlurmLauncher launcher = new SlurmLauncher(new SlurmClient(Map.of(), Duration.ofSeconds(1)),
            new SlurmLauncher.Settings("isofold-unit", false, null, null, List.of(), Duration.ofHours(1)));

    @AfterEach
    void close() {
        launcher.close();
    }

    /**
     * Seen in a run: a poll that began before sbatch returned did not list the new job, and the job
     * was failed as "Slurm no longer knows job" within a second of its submission.
     */
    @Test
    void aJobNoPollHasSeenYetIsNotTakenForForgotten() throws Exception {
        SlurmAttempt a = attempt();

        assertThat(a.observe(null)).isFalse();
        assertThat(a.exit()).isNotDone();
    }

    /** Issue 21: one squeue answer that left out a live job ended it, and the replicate ran twice. */
    @Test
    void aJobSeenOnceAndThenMissingFromAnAnswerIsNotOver() throws Exception {
        SlurmAttempt a = attempt();
        a.observe(status(SlurmJobState.RUNNING, "RUNNING", Instant.parse("2026-01-02T03:04:05Z")));
        Files.writeString(files().exitStatus(), "3\n");

        assertThat(a.observe(null)).isFalse();
        assertThat(a.exit()).isNotDone();
    }

    @Test
    void anAdoptedJobStartedWhenSlurmSaysAndTheNodeIsKnownByThen() throws Exception {
        SlurmAttempt a = attempt(false);
        a.observe(new SlurmJobStatus(7, "isofold-unit-r0-a1", SlurmJobState.PENDING, "PENDING", null, null, null,
                "Resources", null));
        assertThat(a.started()).isNotDone();

        Instant start = Instant.parse("2026-01-02T03:04:05Z");
        a.started().thenAccept(at -> assertThat(a.identity().node()).isEqualTo("node7"));
        a.observe(status(SlurmJobState.RUNNING, "RUNNING", start));

        assertThat(a.started().getNow(null)).isEqualTo(start);
    }

    @Test
    void aJobCancelledWhilePendingNeverStarted() throws Exception {
        SlurmAttempt a = attempt();
        a.observe(new SlurmJobStatus(7, "isofold-unit-r0-a1", SlurmJobState.CANCELLED, "CANCELLED", 0, null, null,
                null, null));

        assertThat(a.exit()).isDone();
        assertThat(a.started()).isNotDone();
    }

    /**
     * Seen in a run: Slurm's StartTime came 1.1 s before the worker's first line (whole seconds, and
     * before the job's script ran), and a --timeout 2s killed a worker that had run 1.1 s.
     */
    @Test
    void aJobSubmittedHereStartsWhenAPollFirstSeesItRunNotAtSlurmsStartTime() throws Exception {
        SlurmAttempt a = attempt(true);
        Instant before = Instant.now();
        a.observe(status(SlurmJobState.RUNNING, "RUNNING", before.minusSeconds(5)));

        assertThat(a.started().getNow(null)).isAfterOrEqualTo(before);
    }

    /** Between polls a worker that finished is over by its wrapper's file: its slot need not wait for squeue. */
    @Test
    void aWorkerThatExitedZeroIsOverByItsExitStatusFileBeforeAnyPoll() throws Exception {
        SlurmAttempt a = attempt();
        assertThat(a.observeExitFile()).isFalse();
        Files.writeString(files().dir().resolve(JobScript.NODE_FILE), "node7\n");
        Files.writeString(files().result(), "{\"metrics\":{\"accuracy\":0.9}}");
        Files.writeString(files().exitStatus(), "0\n");

        assertThat(a.observeExitFile()).isTrue();
        assertThat(a.exit().getNow(null)).isEqualTo(WorkerExit.status(0));
        assertThat(a.started()).isDone();
        assertThat(a.identity().node()).isEqualTo("node7");
    }

    /** Any other status waits for Slurm, which may know better: out of memory, its time limit, a lost node. */
    @Test
    void aWorkerThatFailedWaitsForSlurmsAccount() throws Exception {
        SlurmAttempt a = attempt();
        Files.writeString(files().exitStatus(), "137\n");

        assertThat(a.observeExitFile()).isFalse();
        assertThat(a.exit()).isNotDone();
        a.observe(new SlurmJobStatus(7, "isofold-unit-r0-a1", SlurmJobState.OUT_OF_MEMORY, "OUT_OF_MEMORY", 0, 9,
                "node7", "OutOfMemory", Instant.now()));
        assertThat(a.exit().getNow(null).verdict()).isEqualTo(io.isofold.supervisor.journal.Verdict.MEMORY);
    }

    /**
     * A worker that saves and exits 0 on the SIGTERM of a preemption has not finished: Slurm's account
     * decides (it was taken for a worker that exited 0 without a result: failed, not node-lost).
     */
    @Test
    void aWorkerThatExitedZeroWithoutAResultWaitsForSlurmsAccount() throws Exception {
        SlurmAttempt a = attempt();
        Files.writeString(files().exitStatus(), "0\n");

        assertThat(a.observeExitFile()).isFalse();
        a.observe(new SlurmJobStatus(7, "isofold-unit-r0-a1", SlurmJobState.PREEMPTED, "PREEMPTED", 0, null,
                "node7", null, Instant.now()));
        assertThat(a.exit().getNow(null).verdict()).isEqualTo(io.isofold.supervisor.journal.Verdict.NODE_LOST);
    }

    /** Chosen for preemption, a worker that saved and ended within the partition's GraceTime was preempted. */
    @Test
    void aJobChosenForPreemptionThatEndedByItselfWasPreempted() throws Exception {
        SlurmAttempt a = attempt();
        a.observe(new SlurmJobStatus(7, "isofold-unit-r0-a1", SlurmJobState.FAILED, "FAILED", 143, null, "node7",
                "NonZeroExitCode", Instant.now(), true));
        assertThat(a.exit().getNow(null).verdict()).isEqualTo(io.isofold.supervisor.journal.Verdict.NODE_LOST);
    }

    private SlurmAttempt attempt() throws Exception {
        return attempt(true);
    }

    private SlurmAttempt attempt(boolean submittedHere) throws Exception {
        Files.createDirectories(files().dir());
        return new SlurmAttempt(7, null, files(), new SlurmClient(Map.of(), Duration.ofSeconds(1)), launcher,
                submittedHere);
    }

    private RunFiles.AttemptFiles files() {
        return new RunFiles(tmp).attempt(0, 1);
    }

    private static SlurmJobStatus status(SlurmJobState state, String slurmState, Instant started) {
        return new SlurmJobStatus(7, "isofold-unit-r0-a1", state, slurmState, null, null, "node7", null, started);
    }
}
