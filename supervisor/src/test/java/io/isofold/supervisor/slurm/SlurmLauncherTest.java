package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.exec.ExternalCommand;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Slurm backend behind the run loop's seam, against the real one-node Slurm. */
@ExtendWith(SlurmTestCluster.class)
@Tag("slurm")
class SlurmLauncherTest {
    private static final long WAIT_S = 60;

    private final SlurmClient client = SlurmTestCluster.client();
    private final String prefix = "isofold-test-" + UUID.randomUUID().toString().substring(0, 8);
    private SlurmLauncher launcher;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() {
        launcher = newLauncher();
    }

    @AfterEach
    void stop() throws Exception {
        launcher.close();
        for (SlurmJobStatus s : client.pollByNamePrefix(prefix)) {
            if (!s.state().ended()) {
                client.cancel(s.jobId(), SlurmClient.Signal.KILL);
            }
        }
    }

    @Test
    void theExitIsLearntFromThePollsWithTheJobAndItsNode() throws Exception {
        AttemptHandle h = launcher.launch(request(0, List.of("sh", "-c", "exit 3")));

        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit).isEqualTo(WorkerExit.status(3));
        assertThat(h.identity().jobId()).matches("\\d+");
        assertThat(h.identity().node()).isEqualTo("localhost");
        assertThat(client.poll(List.of(Long.parseLong(h.identity().jobId()))).values())
                .extracting(SlurmJobStatus::name).containsExactly(prefix + "-r0-a1");
    }

    /** sbatch runs off the caller's thread: the handle comes first, its job id when sbatch answers. */
    @Test
    void launchReturnsBeforeSbatchAnswersAndTheIdFollows() throws Exception {
        try (HeldController held = HeldController.open(tmp.resolve("held"))) {
            AttemptHandle h = launcher.launch(request(files(7), List.of("sh", "-c", "exit 0"), held.environment()));
            // the controller holds sbatch's request: a launch that waited for sbatch would not be back yet
            assertThat(h.identified()).as("sbatch cannot have answered yet").isNotDone();
            assertThat(h.identity().jobId()).isNull();
            io.isofold.supervisor.Await.until("sbatch asks the controller", () -> held.connections() > 0);
            held.release();

            String id = h.identified().get(WAIT_S, TimeUnit.SECONDS).jobId();
            assertThat(id).matches("\\d+");
            assertThat(h.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(0));
            assertThat(h.identity().jobId()).isEqualTo(id);
        }
    }

    /** An end that comes while sbatch still runs waits for the job's id and cancels the job: none runs on unwatched. */
    @Test
    void endWhileSbatchRunsCancelsTheJobOnceItsIdComes() throws Exception {
        CompletableFuture<Integer> end;
        AttemptHandle h;
        try (HeldController held = HeldController.open(tmp.resolve("held"))) {
            h = launcher.launch(request(files(8), List.of("sh", "-c", "exec sleep 300"), held.environment()));
            io.isofold.supervisor.Await.until("sbatch asks the controller", () -> held.connections() > 0);
            assertThat(h.identity().jobId()).as("sbatch cannot have answered yet").isNull();
            end = h.end(Duration.ofSeconds(5));
            held.release();

            assertThat(end.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(h.exit().get(WAIT_S, TimeUnit.SECONDS).verdict()).as("ended by the request, not failed").isNull();
        long id = Long.parseLong(h.identity().jobId());
        assertThat(client.poll(List.of(id)).get(id).state().ended()).isTrue();
    }

    /** A launch still waiting for a submit thread when its end comes is never submitted at all. */
    @Test
    void anEndBeforeSbatchBeganWithdrawsTheSubmission() throws Exception {
        List<AttemptHandle> busy = new ArrayList<>();
        AttemptHandle queued;
        try (HeldController held = HeldController.open(tmp.resolve("held"))) {
            for (int r = 10; r < 10 + SlurmLauncher.SUBMITTERS; r++) {
                busy.add(launcher.launch(request(files(r), List.of("sh", "-c", "exec sleep 300"), held.environment())));
            }
            // every submit thread is in an sbatch the controller holds: the next launch waits for one
            io.isofold.supervisor.Await.until("an sbatch of each submit thread asks the controller",
                    () -> held.connections() >= SlurmLauncher.SUBMITTERS);
            queued = launcher.launch(request(20, List.of("sh", "-c", "exec sleep 300")));
            // ended while it waits: the first submit thread to be free withdraws it, once sbatch answers
            CompletableFuture<Integer> end = queued.end(Duration.ofSeconds(5));
            held.release();
            assertThat(end.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
            for (AttemptHandle h : busy) {
                h.identified().get(WAIT_S, TimeUnit.SECONDS); // every submission before it has answered
            }
        }

        assertThat(queued.exit().getNow(null)).isEqualTo(new WorkerExit(null, null, null));
        assertThat(queued.identified()).isCompletedExceptionally();
        assertThat(client.pollByNamePrefix(prefix + "-r20-")).isEmpty();
        for (AttemptHandle h : busy) {
            h.end(Duration.ofSeconds(5)).get(WAIT_S, TimeUnit.SECONDS); // before the temporary directory goes
        }
    }

    @Test
    void endSendsTermAndAWorkerThatHeedsItNeedsNoKill() throws Exception {
        RunFiles.AttemptFiles files = files(1);
        AttemptHandle h = launcher.launch(request(files, List.of("sh", "-c", "echo ready; exec sleep 300")));
        awaitReady(files);

        // a grace far longer than the wait: an end that waited for it would not be back in time
        assertThat(h.end(Duration.ofSeconds(300)).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
        // ended by us: no verdict of the backend's, the loop keeps its own (timeout, stall...)
        assertThat(h.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(143));
    }

    @Test
    void endKillsAWorkerThatIgnoresTermAfterTheGrace() throws Exception {
        RunFiles.AttemptFiles files = files(2);
        AttemptHandle h = launcher.launch(request(files,
                List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")));
        awaitReady(files);

        long start = System.nanoTime();
        assertThat(h.end(Duration.ofSeconds(2)).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.status()).isEqualTo(128 + 9);
        assertThat(exit.verdict()).isNull();
        assertThat(h.end(Duration.ofSeconds(2))).isSameAs(h.end(Duration.ofSeconds(9)));
    }

    @Test
    void aJobCancelledOutsideIsofoldFailsWithThatReason() throws Exception {
        RunFiles.AttemptFiles files = files(3);
        AttemptHandle h = launcher.launch(request(files, List.of("sh", "-c", "echo ready; exec sleep 300")));
        awaitReady(files);

        client.cancel(Long.parseLong(h.identity().jobId()), SlurmClient.Signal.KILL);
        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(exit.reason()).endsWith("was cancelled outside isofold");
    }

    /** The big difference from the local backend: a dead supervisor's jobs run on and are adopted. */
    @Test
    void aNewSupervisorAdoptsAJobStillRunningWithoutCancellingIt() throws Exception {
        RunFiles.AttemptFiles files = files(4);
        AttemptHandle first = launcher.launch(request(files, List.of("sh", "-c", "echo ready; exec sleep 300")));
        awaitReady(files);
        LaunchIdentity journalled = first.identity();
        launcher.close(); // the supervisor dies; its job does not

        launcher = newLauncher();
        WorkerLauncher.Recovery found = launcher.recover(record(journalled), files, Duration.ofSeconds(5));

        assertThat(found).isInstanceOf(WorkerLauncher.Recovery.Adopted.class);
        AttemptHandle adopted = ((WorkerLauncher.Recovery.Adopted) found).handle();
        assertThat(adopted.identity().jobId()).isEqualTo(journalled.jobId());
        Thread.sleep(1000); // a few polls, none of which may end it (nothing to wait for: nothing must happen)
        assertThat(adopted.exit()).isNotDone();
        long id = Long.parseLong(journalled.jobId());
        assertThat(client.poll(List.of(id)).get(id).state()).isEqualTo(SlurmJobState.RUNNING);

        adopted.end(Duration.ofSeconds(10)).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(adopted.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(143));
    }

    @Test
    void aJobThatEndedWhileNoSupervisorWatchedIsJudgedByTheNextPoll() throws Exception {
        RunFiles.AttemptFiles files = files(5);
        AttemptHandle first = launcher.launch(request(files, List.of("sh", "-c", "sleep 1; exit 4")));
        LaunchIdentity journalled = first.identified().get(WAIT_S, TimeUnit.SECONDS);
        launcher.close();
        awaitFile(files.exitStatus());

        launcher = newLauncher();
        WorkerLauncher.Recovery found = launcher.recover(record(journalled), files, Duration.ofSeconds(5));

        assertThat(found).isInstanceOf(WorkerLauncher.Recovery.Adopted.class);
        AttemptHandle adopted = ((WorkerLauncher.Recovery.Adopted) found).handle();
        assertThat(adopted.exit().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(WorkerExit.status(4));
    }

    @Test
    void aJobSlurmHasForgottenIsJudgedByItsExitStatusFile() throws Exception {
        RunFiles.AttemptFiles files = files(6);
        Files.writeString(files.exitStatus(), "0\n");

        WorkerLauncher.Recovery found = launcher.recover(record(LaunchIdentity.job("999999999", "gone")), files,
                Duration.ofSeconds(5));

        assertThat(found).isEqualTo(new WorkerLauncher.Recovery.Ended(0, 0));
    }

    /**
     * Issue 19: a preemption reaches the worker as SIGTERM with time to save. On Slurm 22.05 a job
     * without job steps hears nothing of a preemption until the partition's GraceTime is over; then, as
     * for a plain scancel, every process of the job gets SIGCONT and SIGTERM, and SIGKILL after KillWait
     * (5 s on the test cluster). So a plain scancel is how a preemption ends an attempt: its worker saves
     * in its TERM handler, the job script lives through the TERM and records the worker's status, and the
     * verdict stays what it was (CANCELLED by someone else: failed; a real preemption: node-lost).
     */
    @Test
    void aJobEndedTheWayAPreemptionEndsItLetsTheWorkerSaveInItsTermHandler() throws Exception {
        RunFiles.AttemptFiles files = files(9);
        Path saved = files.dir().resolve("saved");
        AttemptHandle h = launcher.launch(request(files, List.of("sh", "-c",
                "trap 'sleep 1; echo checkpoint > \"$ISOFOLD_ATTEMPT_DIR/saved\"; exit 0' TERM; echo ready; "
                        + "while :; do sleep 1; done")));
        awaitReady(files);

        ExternalCommand.Result r = ExternalCommand.run(List.of("scancel", h.identity().jobId()),
                Duration.ofSeconds(20), SlurmTestCluster.CLIENT_ENV);
        assertThat(r.ok()).as(r.toString()).isTrue();

        WorkerExit exit = h.exit().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(saved).hasContent("checkpoint");
        assertThat(files.exitStatus()).as("the worker's own status, recorded").hasContent("0");
        assertThat(exit.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(exit.reason()).endsWith("was cancelled outside isofold");
    }

    /**
     * Issue 19: with isofold's --time backstop, Slurm warns the job script the kill grace before the time
     * limit (--signal=B:USR1@grace) and the script passes it on to the worker as SIGTERM: the worker saves
     * and ends before Slurm's own kill. The attempt timed out, as it would have at Slurm's limit.
     */
    @Test
    void theTimeLimitWarningReachesTheWorkerAsTermBeforeTheLimit() throws Exception {
        launcher.close();
        // --time=1 (a minute); the warning 50 s before it: at the controller's first check after the start
        launcher = new SlurmLauncher(client, new SlurmLauncher.Settings(prefix, false, null, Duration.ofMinutes(1),
                List.of(), Duration.ofMillis(200), Duration.ofSeconds(50), SlurmLauncher.Settings.DEFAULT_FORGET_AFTER));
        RunFiles.AttemptFiles files = files(10);
        AttemptHandle h = launcher.launch(request(files, List.of("sh", "-c",
                "trap 'echo checkpoint > \"$ISOFOLD_ATTEMPT_DIR/saved\"; exit 3' TERM; echo ready; "
                        + "while :; do sleep 1; done")));

        WorkerExit exit = h.exit().get(2 * WAIT_S, TimeUnit.SECONDS);
        assertThat(files.dir().resolve("saved")).hasContent("checkpoint");
        assertThat(files.dir().resolve(JobScript.TIME_LIMIT_WARNING)).exists();
        assertThat(exit.verdict()).isEqualTo(Verdict.TIMEOUT);
        assertThat(exit.reason()).endsWith("was told to stop before it");
        long id = Long.parseLong(h.identity().jobId());
        assertThat(client.poll(List.of(id)).get(id).state()).as("ended before Slurm's limit")
                .isEqualTo(SlurmJobState.FAILED);
    }

    private SlurmLauncher newLauncher() {
        return new SlurmLauncher(client, new SlurmLauncher.Settings(prefix, false, null, Duration.ofMinutes(10),
                List.of(), Duration.ofMillis(200)));
    }

    private RunFiles.AttemptFiles files(int replicate) throws Exception {
        RunFiles.AttemptFiles files = new RunFiles(tmp).attempt(replicate, 1);
        Files.createDirectories(files.dir());
        return files;
    }

    private LaunchRequest request(int replicate, List<String> command) throws Exception {
        return request(files(replicate), command);
    }

    private static LaunchRequest request(RunFiles.AttemptFiles files, List<String> command) {
        return request(files, command, Map.of());
    }

    /** @param more environment on top of the attempt's, which sbatch gets too (a held controller's) */
    private static LaunchRequest request(RunFiles.AttemptFiles files, List<String> command, Map<String, String> more) {
        String replicate = files.dir().getParent().getFileName().toString();
        Map<String, String> env = new java.util.HashMap<>(more);
        env.putAll(Map.of("ISOFOLD_ATTEMPT_DIR", files.dir().toString(), "ISOFOLD_REPLICATE", replicate,
                "ISOFOLD_ATTEMPT", "1"));
        return new LaunchRequest(command, env, files);
    }

    private static AttemptRecord record(LaunchIdentity launch) {
        return new AttemptRecord(new AttemptId(0, "cnn", 0, 0, 0, 1), "slurm", "?", launch, Instant.now(), null);
    }

    private static void awaitReady(RunFiles.AttemptFiles files) throws Exception {
        Instant deadline = Instant.now().plusSeconds(WAIT_S);
        while (!Files.exists(files.stdout()) || !Files.readString(files.stdout()).equals("ready\n")) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the worker never said it was ready");
            }
            Thread.sleep(100);
        }
    }

    private static void awaitFile(Path file) throws Exception {
        Instant deadline = Instant.now().plusSeconds(WAIT_S);
        while (!Files.exists(file)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(file + " never appeared");
            }
            Thread.sleep(100);
        }
    }
}
