package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.WorkerExit;
import io.isofold.supervisor.launch.WorkerLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm backend against a cluster that fails: sbatch, squeue and scancel that give no answer, or
 * an answer that leaves out a job that runs ({@link FakeSlurm}). Nothing may be concluded from a
 * failure: no job is given up while it may run, none is submitted twice, none is forgotten uncancelled.
 */
@Tag("e2e")
class SlurmFailuresTest {
    private static final long WAIT_S = 60;
    private static final String PREFIX = "isofold-fake";
    private static final String NO_ANSWER = "scancel: error: Kill job error on job id 1001: "
            + "Socket timed out on send/recv operation";

    @TempDir
    Path tmp;

    private FakeSlurm slurm;
    private SlurmLauncher launcher;

    @BeforeEach
    void start() throws Exception {
        slurm = new FakeSlurm(tmp.resolve("slurm"));
    }

    @AfterEach
    void stop() {
        if (launcher != null) {
            launcher.close();
        }
    }

    /**
     * Issue 21, item 2: with the first scancel failing, the kill was logged, the job ran on, and a stop
     * hung until the job was ended by hand. The end now tries scancel again until Slurm answers, and
     * completes only when the job is over.
     */
    @Test
    void aScancelThatFailsIsTriedAgainAndTheEndCompletesOnlyWhenTheJobIsOver() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        AttemptHandle h = running(0);
        slurm.fail("scancel", 2, NO_ANSWER);

        CompletableFuture<Integer> end = h.end(Duration.ofSeconds(30));

        assertThat(end.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(slurm.calls("scancel")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(slurm.state(1001)).isEqualTo("FAILED");
        assertThat(h.exit().getNow(null)).as("ended by the request: the loop's verdict stands")
                .isEqualTo(WorkerExit.status(143));
    }

    /** A scancel that never answers leaves the end open for as long as the job may run: no false "ended". */
    @Test
    void anEndWhoseScancelNeverAnswersStaysOpenUntilTheJobIsOver() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        AttemptHandle h = running(0);
        slurm.fail("scancel", -1, NO_ANSWER);

        CompletableFuture<Integer> end = h.end(Duration.ofSeconds(1));
        await(() -> calls("scancel") >= 2);
        assertThat(end).as("the job may still run").isNotDone();

        slurm.setState(1001, "COMPLETED", 0); // it ends by itself; the next poll says so
        assertThat(end.get(WAIT_S, TimeUnit.SECONDS)).as("nothing had to be signalled").isZero();
        assertThat(h.exit().getNow(null)).isEqualTo(WorkerExit.status(0));
    }

    /** After TERM and the grace, a KILL that fails is tried again too. */
    @Test
    void aKillThatFailsIsTriedAgain() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        slurm.ignoreTerm(true);
        AttemptHandle h = running(0);
        slurm.fail("scancel", 2, NO_ANSWER, "--signal=KILL");

        CompletableFuture<Integer> end = h.end(Duration.ofMillis(200));

        assertThat(end.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(slurm.state(1001)).isEqualTo("CANCELLED");
        assertThat(slurm.calls("scancel").stream().filter(c -> c.contains("--signal=KILL"))).hasSize(3);
    }

    /**
     * Issue 21, item 3: squeue exiting 0 with nothing for 3 s had attempt 1 judged "Slurm no longer knows
     * job 1001", and a second job ran the replicate again beside it. Answers that leave a job out end
     * nothing until they have done so for the whole forgetAfter.
     */
    @Test
    void squeueAnswersThatLeaveOutARunningJobEndNothing() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        AttemptHandle h = running(0);
        int before = calls("squeue");

        slurm.blankSqueue(true);
        await(() -> calls("squeue") >= before + 2 * SlurmAttempt.MISSING_ANSWERS);
        assertThat(h.exit()).as("still running").isNotDone();

        slurm.blankSqueue(false);
        slurm.setState(1001, "COMPLETED", 0);
        assertThat(h.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(0));
        assertThat(slurm.calls("scancel")).isEmpty();
    }

    /** squeue leaving a job out for long is not enough either when scontrol still shows it. */
    @Test
    void aJobSqueueNoLongerListsButScontrolShowsIsFollowedOn() throws Exception {
        launcher = launcher(Duration.ofMillis(300));
        AttemptHandle h = running(0);

        slurm.hide(1001, true);
        await(() -> calls("scontrol") >= 2);
        assertThat(h.exit()).isNotDone();
        assertThat(slurm.calls("scancel")).as("nothing cancelled").isEmpty();

        slurm.hide(1001, false);
        slurm.setState(1001, "FAILED", 3 << 8);
        assertThat(h.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(3));
    }

    /**
     * A job no squeue answer lists for forgetAfter, that scontrol cannot tell of and that left no exit
     * status, is cancelled before it is given up: it still ran here, and would have run on beside the
     * replicate's next attempt, never cancelled (issue 21, item 3: "after Ctrl-C job 1001 was still running").
     */
    @Test
    void aJobGivenUpForLostIsCancelledFirst() throws Exception {
        launcher = launcher(Duration.ofMillis(300));
        AttemptHandle h = running(0);

        slurm.hide(1001, true);
        slurm.fail("scontrol", -1, "scontrol: error: Unable to contact slurm controller (connect failure)");
        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);

        assertThat(exit.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(exit.reason()).startsWith("squeue stopped listing job 1001 although it still ran");
        assertThat(slurm.state(1001)).isEqualTo("CANCELLED");
    }

    /** Gone by every account: squeue, scontrol and scancel all say they do not know it. */
    @Test
    void aJobSlurmForgotIsFailedWhenItLeftNoStatusAndJudgedByItsStatusWhenItDid() throws Exception {
        launcher = launcher(Duration.ofMillis(300));
        AttemptHandle noStatus = running(0);
        slurm.forget(1001);
        WorkerExit exit = noStatus.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(exit.reason()).isEqualTo("Slurm no longer knows job 1001 and it left no exit status");

        AttemptHandle withStatus = running(1);
        Files.writeString(files(1).exitStatus(), "4\n");
        slurm.forget(1002);
        assertThat(withStatus.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(4));
    }

    /** A job that Slurm's warning before the time limit told to stop ended because of its time limit. */
    @Test
    void aWorkerThatStoppedAtTheTimeLimitWarningTimedOut() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        AttemptHandle h = running(0);
        Files.writeString(files(0).dir().resolve(JobScript.TIME_LIMIT_WARNING), "1767322800\n");
        slurm.setState(1001, "FAILED", 143 << 8);

        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.verdict()).isEqualTo(Verdict.TIMEOUT);
        assertThat(exit.status()).isEqualTo(143);
    }

    /**
     * Where Slurm sends the time-limit warning at preemption (preempt_send_user_signal), a worker may save
     * and end within the partition's GraceTime: FAILED, not PREEMPTED. scontrol's PreemptTime tells, and
     * the attempt is node-lost as a preempted job always was.
     */
    @Test
    void aJobChosenForPreemptionThatSavedAndEndedIsNodeLost() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        AttemptHandle h = running(0);
        Files.writeString(files(0).dir().resolve(JobScript.TIME_LIMIT_WARNING), "1767322800\n");
        slurm.preempt(1001);
        slurm.setState(1001, "FAILED", 143 << 8);

        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.verdict()).isEqualTo(Verdict.NODE_LOST);
        assertThat(exit.reason()).isEqualTo("Slurm: preempted (job 1001 on node1)");
    }

    /** An sbatch that got no answer is tried again; the job it may have submitted is looked for first. */
    @Test
    void anSbatchWithoutAnswerIsTriedAgain() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        slurm.fail("sbatch", 1, "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation");

        AttemptHandle h = launcher.launch(request(0, "sleep"));

        assertThat(h.identified().get(WAIT_S, TimeUnit.SECONDS).jobId()).isEqualTo("1001");
        assertThat(slurm.calls("sbatch")).hasSize(2);
        assertThat(slurm.jobIds()).containsExactly(1001L);
    }

    /** ... and when the controller took the job although sbatch got no answer, that job is followed, none submitted again. */
    @Test
    void anSbatchWhoseJobWasTakenDespiteNoAnswerIsNotSubmittedAgain() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        slurm.takeAndFail(1, "sbatch: error: Batch job submission failed: Zero Bytes were transmitted or received");

        AttemptHandle h = launcher.launch(request(0, "sleep"));

        assertThat(h.identified().get(WAIT_S, TimeUnit.SECONDS).jobId()).isEqualTo("1001");
        assertThat(slurm.calls("sbatch")).hasSize(1);
        assertThat(slurm.jobIds()).containsExactly(1001L);
    }

    /** A refusal is an answer: the attempt fails at once with sbatch's words, nothing is tried again. */
    @Test
    void anSbatchRefusalIsAFailedAttemptAtOnce() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        String refusal = "sbatch: error: Batch job submission failed: Invalid account or account/partition"
                + " combination specified";
        slurm.fail("sbatch", -1, refusal);

        AttemptHandle h = launcher.launch(request(0, "sleep"));

        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(exit.reason()).isEqualTo("sbatch refused job " + PREFIX + "-r0-a1: " + refusal);
        assertThat(slurm.calls("sbatch")).hasSize(1);
    }

    /** A stop while sbatch keeps getting no answer withdraws the submission once Slurm is known to have no such job. */
    @Test
    void aStopWhileSbatchGetsNoAnswerWithdrawsIt() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        slurm.fail("sbatch", -1, "sbatch: error: Batch job submission failed: Unable to contact slurm controller"
                + " (connect failure)");
        AttemptHandle h = launcher.launch(request(0, "sleep"));
        await(() -> calls("sbatch") >= 1);

        assertThat(h.end(Duration.ofSeconds(5)).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(h.exit().getNow(null)).isEqualTo(new WorkerExit(null, null, null));
        assertThat(slurm.jobIds()).isEmpty();
    }

    /**
     * On resume, a job the journal does not name is looked for by its name until squeue answers: taken
     * for not found, it would run on unwatched while the replicate ran again.
     */
    @Test
    void aResumeLooksForUnjournalledJobsUntilSqueueAnswers() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        slurm.addJob(1001, "RUNNING", PREFIX + "-r0-a1");
        slurm.fail("squeue", 2, "squeue: error: Unable to contact slurm controller (connect failure)");

        List<WorkerLauncher.Found> found = launcher.launchedAttempts();
        assertThat(found).singleElement().satisfies(f -> assertThat(f.identity().jobId()).isEqualTo("1001"));

        slurm.fail("squeue", 2, "squeue: error: Unable to contact slurm controller (connect failure)");
        WorkerLauncher.Recovery recovery = launcher.recover(record(null), files(0), Duration.ofSeconds(5));
        assertThat(recovery).isInstanceOf(WorkerLauncher.Recovery.Adopted.class);
        assertThat(((WorkerLauncher.Recovery.Adopted) recovery).handle().identity().jobId()).isEqualTo("1001");
    }

    /** On resume one answer without the job, and no exit status, proves nothing: the job is adopted. */
    @Test
    void aResumedJobOneAnswerLeavesOutIsAdoptedNotTakenForEnded() throws Exception {
        launcher = launcher(Duration.ofHours(1));
        slurm.addJob(1001, "RUNNING", PREFIX + "-r0-a1");
        slurm.hide(1001, true);

        WorkerLauncher.Recovery recovery = launcher.recover(record(LaunchIdentity.job("1001", "node1")), files(0),
                Duration.ofSeconds(5));

        assertThat(recovery).isInstanceOf(WorkerLauncher.Recovery.Adopted.class);
        AttemptHandle adopted = ((WorkerLauncher.Recovery.Adopted) recovery).handle();
        slurm.hide(1001, false);
        slurm.setState(1001, "COMPLETED", 0);
        assertThat(adopted.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(0));
    }

    private SlurmLauncher launcher(Duration forgetAfter) {
        return new SlurmLauncher(slurm.client(), new SlurmLauncher.Settings(PREFIX, false, null, null, List.of(),
                Duration.ofMillis(100), null, forgetAfter));
    }

    /** A job of replicate r that the polls have seen running. */
    private AttemptHandle running(int replicate) throws Exception {
        AttemptHandle h = launcher.launch(request(replicate, "sleep"));
        h.started().get(WAIT_S, TimeUnit.SECONDS);
        return h;
    }

    private LaunchRequest request(int replicate, String... command) throws Exception {
        RunFiles.AttemptFiles files = files(replicate);
        Files.createDirectories(files.dir());
        return new LaunchRequest(List.of(command), Map.of("ISOFOLD_ATTEMPT_DIR", files.dir().toString(),
                "ISOFOLD_REPLICATE", Integer.toString(replicate), "ISOFOLD_ATTEMPT", "1"), files);
    }

    private RunFiles.AttemptFiles files(int replicate) throws Exception {
        RunFiles.AttemptFiles files = new RunFiles(tmp.resolve("run")).attempt(replicate, 1);
        Files.createDirectories(files.dir());
        return files;
    }

    private static AttemptRecord record(LaunchIdentity launch) {
        return new AttemptRecord(new AttemptId(0, "cnn", 0, 0, 0, 1), "slurm", "?", launch, Instant.now(), null);
    }

    private int calls(String command) {
        try {
            return slurm.calls(command).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT_S + " s");
            }
            Thread.sleep(20);
        }
    }
}
