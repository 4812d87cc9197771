package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.supervisor.exec.ExternalCommand;
import io.isofold.supervisor.journal.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SlurmClient against the real one-node Slurm of scripts/slurm-cluster.sh. */
@ExtendWith(SlurmTestCluster.class)
@Tag("slurm")
class SlurmClientTest {
    private static final Duration JOB_LIMIT = Duration.ofSeconds(60);

    private final SlurmClient slurm = SlurmTestCluster.client();
    /** This test's jobs, and no one else's: the cluster may be shared with a person trying things. */
    private final String prefix = "isofold-test-" + UUID.randomUUID().toString().substring(0, 8) + "-";

    @TempDir
    Path tmp;

    @AfterEach
    void cancelLeftovers() throws Exception {
        for (SlurmJobStatus s : slurm.pollByNamePrefix(prefix)) {
            if (!s.state().ended()) {
                slurm.cancel(s.jobId(), SlurmClient.Signal.KILL);
            }
        }
    }

    @Test
    void aJobThatExitsZeroCompletesWithItsOutputInTheAttemptDirectory() throws Exception {
        Path dir = attemptDir("ok");
        long id = slurm.submit(job(dir, "ok", List.of("sh", "-c", "echo out; echo err >&2"), Map.of(), false));

        SlurmJobStatus s = awaitEnd(id);
        assertThat(s.state()).isEqualTo(SlurmJobState.COMPLETED);
        assertThat(s.slurmState()).isEqualTo("COMPLETED");
        assertThat(s.exitCode()).isZero();
        assertThat(s.signal()).isNull();
        assertThat(s.name()).isEqualTo(prefix + "ok");
        assertThat(s.node()).isEqualTo("localhost");
        assertThat(s.started()).isBefore(Instant.now().plusSeconds(1));
        assertThat(Files.readString(dir.resolve("stdout.log"))).isEqualTo("out\n");
        assertThat(Files.readString(dir.resolve("stderr.log"))).isEqualTo("err\n");
        assertThat(Files.readString(dir.resolve(RunFiles.AttemptFiles.EXIT_STATUS))).isEqualTo("0\n");
        assertThat(Files.readString(dir.resolve(JobScript.NODE_FILE))).isEqualTo("localhost\n");
    }

    /** How a resume finds a job by its exact name, and how the start checks that Slurm answers: nothing else listed. */
    @Test
    void jobsNamedFindsExactlyThatName() throws Exception {
        long id = slurm.submit(job(attemptDir("named"), "named", List.of("true"), Map.of(), false));
        long other = slurm.submit(job(attemptDir("named1"), "named1", List.of("true"), Map.of(), false));

        assertThat(slurm.jobsNamed(prefix + "named")).extracting(SlurmJobStatus::jobId).containsExactly(id);
        assertThat(slurm.jobsNamed(prefix + "nam")).isEmpty();
        awaitEnd(id);
        awaitEnd(other);
    }

    /**
     * The job script runs the worker in the background (to act on Slurm's warning while it runs), where a
     * shell starts commands with SIGINT and SIGQUIT ignored; the worker must get them at their defaults.
     */
    @Test
    void theWorkerStartsWithNoSignalIgnored() throws Exception {
        Path dir = attemptDir("signals");
        // ignored signals stay ignored through exec; caught ones are reset to their defaults by it
        long id = slurm.submit(job(dir, "signals", List.of("grep", "^SigIgn", "/proc/self/status"), Map.of(), false));

        assertThat(awaitEnd(id).state()).isEqualTo(SlurmJobState.COMPLETED);
        List<String> lines = Files.readAllLines(dir.resolve("stdout.log"));
        assertThat(lines).hasSize(1).allMatch(l -> l.startsWith("SigIgn:\t"));
        long ignored = Long.parseUnsignedLong(lines.get(0).substring("SigIgn:\t".length()), 16);
        // signals 1 to 31 (bit n-1 for signal n); the real-time ones above are the environment's business: a CI
        // harness was seen to start everything with signal 32 ignored, which passes through every exec
        assertThat(Long.toHexString(ignored & 0x7fff_ffffL)).as("the standard signals the worker ignores, as a mask")
                .isEqualTo("0");
    }

    @Test
    void aFailingJobReportsTheWorkersExitCode() throws Exception {
        Path dir = attemptDir("fail");
        long id = slurm.submit(job(dir, "fail", List.of("sh", "-c", "exit 3"), Map.of(), false));

        SlurmJobStatus s = awaitEnd(id);
        assertThat(s.state()).isEqualTo(SlurmJobState.FAILED);
        assertThat(s.exitCode()).isEqualTo(3);
        assertThat(s.reason()).isEqualTo("NonZeroExitCode");
        assertThat(Files.readString(dir.resolve(RunFiles.AttemptFiles.EXIT_STATUS))).isEqualTo("3\n");
    }

    /** Nothing between the supervisor and the worker parses the arguments: not sbatch, not the script. */
    @Test
    void theWorkersArgumentsArriveLiterally() throws Exception {
        Path dir = attemptDir("args");
        List<String> args = List.of("$(echo no)", ";", "\"q\" 'q'", "*", "a  b", "", "--time=5", "$ISOFOLD_GPU",
                "{\"a\":1,\"b\":2}", "back\\slash");
        List<String> command = new ArrayList<>(List.of("printf", "[%s]\\n"));
        command.addAll(args);
        // a comma in a value would split sbatch's --export=ALL,VAR=...; it goes through the environment
        long id = slurm.submit(job(dir, "args", command, Map.of("ISOFOLD_PARAMS", "{\"x\":1,\"y\":\"a b\"}"), false));

        assertThat(awaitEnd(id).state()).isEqualTo(SlurmJobState.COMPLETED);
        List<String> expected = args.stream().map(a -> "[" + a + "]").toList();
        assertThat(Files.readAllLines(dir.resolve("stdout.log"))).containsExactlyElementsOf(expected);
    }

    @Test
    void theEnvironmentReachesTheJobWithCommasAndSpacesIntact() throws Exception {
        Path dir = attemptDir("env");
        long id = slurm.submit(job(dir, "env", List.of("sh", "-c", "printf '%s\\n' \"$ISOFOLD_PARAMS\""),
                Map.of("ISOFOLD_PARAMS", "{\"x\":1,\"y\":\"a b\"}"), false));

        assertThat(awaitEnd(id).state()).isEqualTo(SlurmJobState.COMPLETED);
        assertThat(Files.readString(dir.resolve("stdout.log"))).isEqualTo("{\"x\":1,\"y\":\"a b\"}\n");
    }

    /** ISOFOLD_GPU is the GPU Slurm chose, whatever the submitting side had in CUDA_VISIBLE_DEVICES. */
    @Test
    void fourConcurrentGpuJobsGetTheFourGpusAndIsofoldGpuSaysWhich() throws Exception {
        List<Long> ids = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path dir = attemptDir("gpu" + i);
            dirs.add(dir);
            // the sleep keeps all four on the node at once, so each must get a GPU of its own
            ids.add(slurm.submit(job(dir, "gpu" + i,
                    List.of("sh", "-c", "echo \"$CUDA_VISIBLE_DEVICES $ISOFOLD_GPU\"; sleep 2"),
                    Map.of("CUDA_VISIBLE_DEVICES", "7", "ISOFOLD_GPU", "7"), true)));
        }
        Set<String> gpus = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            assertThat(awaitEnd(ids.get(i)).state()).isEqualTo(SlurmJobState.COMPLETED);
            String[] line = Files.readString(dirs.get(i).resolve("stdout.log")).strip().split(" ");
            assertThat(line).hasSize(2);
            assertThat(line[1]).isEqualTo(line[0]);
            gpus.add(line[0]);
        }
        assertThat(gpus).containsExactlyInAnyOrder("0", "1", "2", "3");
    }

    @Test
    void aCpuJobHasNoGpuEvenWhenTheSubmitterHadOne() throws Exception {
        Path dir = attemptDir("cpu");
        long id = slurm.submit(job(dir, "cpu",
                List.of("sh", "-c", "echo \"[${CUDA_VISIBLE_DEVICES-unset}] $ISOFOLD_GPU\""),
                Map.of("CUDA_VISIBLE_DEVICES", "3"), false));

        assertThat(awaitEnd(id).state()).isEqualTo(SlurmJobState.COMPLETED);
        assertThat(Files.readString(dir.resolve("stdout.log"))).isEqualTo("[] cpu\n");
    }

    @Test
    void termReachesTheWorkerAndTheWrapperRecordsItsStatus() throws Exception {
        Path dir = attemptDir("term");
        long id = slurm.submit(job(dir, "term", List.of("sh", "-c", "echo ready; exec sleep 300"), Map.of(), false));
        awaitState(id, SlurmJobState.RUNNING);
        awaitFile(dir.resolve("stdout.log"), "ready\n");

        assertThat(slurm.cancel(id, SlurmClient.Signal.TERM)).isEqualTo(SlurmClient.CancelOutcome.SENT);
        SlurmJobStatus s = awaitEnd(id);
        // sleep died of TERM (128 + 15); the wrapper lived through it and passed that on
        assertThat(s.state()).isEqualTo(SlurmJobState.FAILED);
        assertThat(s.exitCode()).isEqualTo(143);
        assertThat(Files.readString(dir.resolve(RunFiles.AttemptFiles.EXIT_STATUS))).isEqualTo("143\n");
    }

    @Test
    void aWorkerThatIgnoresTermEndsWithKill() throws Exception {
        Path dir = attemptDir("stubborn");
        long id = slurm.submit(job(dir, "stubborn",
                List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"), Map.of(), false));
        awaitState(id, SlurmJobState.RUNNING);
        awaitFile(dir.resolve("stdout.log"), "ready\n");

        assertThat(slurm.cancel(id, SlurmClient.Signal.TERM)).isEqualTo(SlurmClient.CancelOutcome.SENT);
        Thread.sleep(1500); // a while in which the job must go on (nothing to wait for: nothing must happen)
        assertThat(slurm.poll(List.of(id)).get(id).state()).isEqualTo(SlurmJobState.RUNNING);
        assertThat(slurm.cancel(id, SlurmClient.Signal.KILL)).isEqualTo(SlurmClient.CancelOutcome.SENT);

        // Slurm may say CANCELLED before it has the batch script's wait status: wait for that too
        SlurmJobStatus s = awaitEnd(id, ended -> ended.signal() != null || ended.exitCode() != null && ended.exitCode() != 0);
        assertThat(s.state()).isEqualTo(SlurmJobState.CANCELLED);
        assertThat(s.signal()).isEqualTo(9);
        assertThat(s.exitCode()).isNull();
        // Slurm sends KILL to one process after another, the worker before the sh that waits for it, which
        // may record the worker's death before its own
        Path status = dir.resolve(RunFiles.AttemptFiles.EXIT_STATUS);
        if (Files.exists(status)) {
            assertThat(status).hasContent("137");
        }
    }

    @Test
    void aPendingJobShowsWhyAndTermCancelsIt() throws Exception {
        Path dir = attemptDir("held");
        long id = slurm.submit(job(dir, "held", List.of("true"), Map.of(), false, List.of("--hold")));

        SlurmJobStatus pending = slurm.poll(List.of(id)).get(id);
        assertThat(pending.state()).isEqualTo(SlurmJobState.PENDING);
        assertThat(pending.reason()).isEqualTo("JobHeldUser");
        assertThat(pending.node()).isNull();
        assertThat(pending.started()).isNull();
        // scancel --signal=TERM would retry for 95 s on a job that has not started; the client cancels it
        long start = System.nanoTime();
        assertThat(slurm.cancel(id, SlurmClient.Signal.TERM)).isEqualTo(SlurmClient.CancelOutcome.SENT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        assertThat(awaitEnd(id).state()).isEqualTo(SlurmJobState.CANCELLED);
        assertThat(slurm.cancel(id, SlurmClient.Signal.TERM)).isEqualTo(SlurmClient.CancelOutcome.ALREADY_ENDED);
        assertThat(slurm.cancel(id, SlurmClient.Signal.KILL)).isEqualTo(SlurmClient.CancelOutcome.ALREADY_ENDED);
    }

    @Test
    void memoryAndTimeLimitReachSlurmRoundedUp() throws Exception {
        Path dir = attemptDir("limits");
        SlurmSubmission held = new SlurmSubmission(prefix + "limits", List.of("true"), Map.of(), dir,
                dir.resolve("stdout.log"), dir.resolve("stderr.log"), false, 300L * 1024 * 1024 + 1,
                Duration.ofSeconds(61), List.of("--hold"));
        long id = slurm.submit(held);

        ExternalCommand.Result r = ExternalCommand.run(List.of("squeue", "-h", "-j", Long.toString(id),
                "-O", "MinMemory:|,TimeLimit:|"), Duration.ofSeconds(20), SlurmTestCluster.CLIENT_ENV);
        assertThat(r.stdout().strip()).isEqualTo("301M|2:00|");
    }

    @Test
    void oneSqueueCallAnswersForManyJobsAndForgottenOnesAreLeftOut() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path dir = attemptDir("many" + i);
            ids.add(slurm.submit(job(dir, "many" + i, List.of("sh", "-c", "exit " + i), Map.of(), false)));
        }
        for (long id : ids) {
            awaitEnd(id);
        }
        long forgotten = 999_999_999L;
        List<Long> asked = new ArrayList<>(ids);
        asked.add(forgotten);

        Map<Long, SlurmJobStatus> states = slurm.poll(asked);
        assertThat(states).containsOnlyKeys(ids);
        for (int i = 0; i < 3; i++) {
            assertThat(states.get(ids.get(i)).exitCode()).isEqualTo(i);
        }
        assertThat(slurm.poll(List.of(forgotten))).isEmpty();
        assertThat(slurm.pollByNamePrefix(prefix)).extracting(SlurmJobStatus::jobId)
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aJobSlurmRefusesIsAOneLineError() throws Exception {
        Path dir = attemptDir("refused");
        SlurmSubmission tooBig = job(dir, "refused", List.of("true"), Map.of(), false, List.of("--gres=gpu:5"));

        assertThatThrownBy(() -> slurm.submit(tooBig))
                .isInstanceOf(SlurmException.class)
                .hasMessage("sbatch refused job " + prefix + "refused: sbatch: error: Batch job submission failed:"
                        + " Requested node configuration is not available");
    }

    /** The bug it guards against: a controller that does not answer must not hang the supervisor. */
    @Test
    void aControllerThatDoesNotAnswerIsAOneLineErrorWithinTheTimeout() throws Exception {
        // the same cluster's configuration, pointing at a port nothing listens on
        Path conf = tmp.resolve("slurm.conf");
        Files.writeString(conf, Files.readString(SlurmTestCluster.STATE.resolve("slurm.conf"))
                .replaceAll("(?m)^SlurmctldPort=.*$", "SlurmctldPort=1"));
        SlurmClient deaf = new SlurmClient(Map.of("SLURM_CONF", conf.toString()), Duration.ofSeconds(1));

        long start = System.nanoTime();
        assertThatThrownBy(() -> deaf.poll(List.of(1L)))
                .isInstanceOf(SlurmException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("squeue").doesNotContain("\n"));
        // squeue itself gives up after 18 s here; 1 s and the JVM's own work take far less, even loaded
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    private Path attemptDir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name).resolve("attempt-1"));
    }

    private SlurmSubmission job(Path dir, String name, List<String> command, Map<String, String> env, boolean gpu) {
        return job(dir, name, command, env, gpu, List.of());
    }

    private SlurmSubmission job(Path dir, String name, List<String> command, Map<String, String> env, boolean gpu,
            List<String> options) {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("ISOFOLD_ATTEMPT_DIR", dir.toString());
        return new SlurmSubmission(prefix + name, command, environment, dir, dir.resolve("stdout.log"),
                dir.resolve("stderr.log"), gpu, null, null, options);
    }

    private SlurmJobStatus awaitEnd(long id) throws Exception {
        return awaitEnd(id, ended -> true);
    }

    /** The job's status once it has ended and {@code complete} holds for it. */
    private SlurmJobStatus awaitEnd(long id, java.util.function.Predicate<SlurmJobStatus> complete) throws Exception {
        Instant deadline = Instant.now().plus(JOB_LIMIT);
        while (true) {
            SlurmJobStatus s = slurm.poll(List.of(id)).get(id);
            if (s != null && s.state().ended() && complete.test(s)) {
                return s;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("job " + id + " still " + s + " after " + JOB_LIMIT);
            }
            Thread.sleep(200);
        }
    }

    private void awaitState(long id, SlurmJobState state) throws Exception {
        Instant deadline = Instant.now().plus(JOB_LIMIT);
        SlurmJobStatus s;
        while ((s = slurm.poll(List.of(id)).get(id)) == null || s.state() != state) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("job " + id + " not " + state + " after " + JOB_LIMIT + ": " + s);
            }
            Thread.sleep(100);
        }
    }

    private static void awaitFile(Path file, String content) throws Exception {
        Instant deadline = Instant.now().plus(JOB_LIMIT);
        while (!Files.exists(file) || !Files.readString(file).equals(content)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(file + " never held " + content);
            }
            Thread.sleep(100);
        }
    }
}
