package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.supervisor.exec.ExternalCommand;
import io.isofold.supervisor.slurm.SlurmJobState;
import io.isofold.supervisor.slurm.SlurmJobStatus;
import io.isofold.supervisor.slurm.SlurmTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end-to-end cases that apply to a cluster, again with {@code --backend slurm}, against the real
 * one-node Slurm of scripts/slurm-cluster.sh (4 fake GPUs, 8 CPUs). Skipped, with the script's reason,
 * where this machine cannot host it.
 *
 * <p>The jobs run on this machine, so the base class's check that no process of a run outlives its
 * supervisor also checks that cancelled jobs really ended.
 */
@ExtendWith(SlurmTestCluster.class)
@Tag("slurm")
class SlurmEndToEndTest extends EndToEndTest {
    private static final List<String> SPEC = List.of("--backend", "slurm", "--folds", "2", "--kill-grace", "2s");
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A supervisor that finds the test cluster, and polls it often so the tests are quick. */
    private SupervisorProcess slurm() {
        return slurmIn(supervisor());
    }

    private SupervisorProcess slurmIn(SupervisorProcess supervisor) {
        SupervisorProcess p = supervisor.env("ISOFOLD_SLURM_POLL", "200ms");
        SlurmTestCluster.CLIENT_ENV.forEach(p::env);
        return p;
    }

    private static List<String> spec(String... more) {
        List<String> all = new ArrayList<>(SPEC);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void everyJobGetsTheGpuSlurmGaveItAndTheJournalNamesJobAndNode() {
        RunDir run = newRun("pinning");
        var o = slurm().run(args(run, spec("--replicates", "4", "--max-running", "4"), TestWorker.command("env", "1")));
        assertThat(o.exitCode()).as(o.toString()).isZero();

        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(4);
        for (WorkerRecord w : workers) {
            assertThat(w.env("CUDA_VISIBLE_DEVICES")).as("CUDA_VISIBLE_DEVICES of %s", w.attemptDir()).matches("[0-3]");
            assertThat(w.env("ISOFOLD_GPU")).isEqualTo(w.env("CUDA_VISIBLE_DEVICES"));
            assertThat(w.env("ISOFOLD_REPLICATE")).isEqualTo(w.attemptDir().getParent().getFileName().toString());
        }
        // four at once on four GPUs: no two jobs that overlapped in time shared one
        for (WorkerRecord a : workers) {
            for (WorkerRecord b : workers) {
                if (a != b && a.startMs() < b.endMs() && b.startMs() < a.endMs()) {
                    assertThat(a.env("CUDA_VISIBLE_DEVICES")).isNotEqualTo(b.env("CUDA_VISIBLE_DEVICES"));
                }
            }
        }
        assertThat(run.launches()).hasSize(4).allSatisfy(l -> assertThat(l.path("slot").asText()).startsWith("slurm/"));
        assertThat(run.jobIds()).hasSize(4).allSatisfy(id -> assertThat(id).matches("\\d+"));
        assertThat(run.events("began")).hasSize(4).allSatisfy(b -> assertThat(b.path("node").asText())
                .isEqualTo("localhost"));
        assertThat(run.results()).hasSize(4);
        assertThat(run.file("run.json")).content().contains("\"backend\" : \"slurm\"").contains("\"max_running\" : 4");
    }

    /** A relative worker command, resumed from another folder, was looked for in that folder by every job. */
    @Test
    void jobsStartInTheFolderTheRunWasStartedInWhereverItIsResumed() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path script = project.resolve("train.sh");
        Files.writeString(script, "#!/bin/sh\nexec " + TestWorker.script() + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        RunDir run = newRun("chdir");
        var first = slurmIn(new SupervisorProcess(project, gpus)).run(args(run,
                spec("--gpus", "none", "--replicates", "2", "--max-attempts", "1"), List.of("--", "./train.sh", "flaky")));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1); // attempt 1 of each fails: given up

        var resumed = slurmIn(new SupervisorProcess(Files.createDirectories(tmp.resolve("elsewhere")), gpus))
                .run("resume", run.dir().toString(), "--max-attempts", "2");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.results()).hasSize(2);
    }

    @Test
    void cpuJobsSeeNoGpu() {
        RunDir run = newRun("cpu");
        var o = slurm().run(args(run, spec("--gpus", "none", "--replicates", "2"), TestWorker.command("env")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.workerRecords()).hasSize(2).allSatisfy(w -> {
            assertThat(w.env("CUDA_VISIBLE_DEVICES")).isEmpty();
            assertThat(w.env("ISOFOLD_GPU")).isEqualTo("cpu");
        });
    }

    @Test
    void aHangingJobIsCancelledAtTheTimeoutToTheSecond() {
        RunDir run = newRun("hang");
        var o = slurm().run(args(run, spec("--replicates", "1", "--max-attempts", "1", "--timeout", "2s"),
                TestWorker.command("hang")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        JsonNode end = run.ends().get(0);
        assertThat(end.get("verdict").asText()).isEqualTo("timeout");
        // isofold's own clock, not Slurm's whole-minute --time checked every 30 s (60 to 90 s here)
        assertThat(end.get("duration_s").asDouble()).isBetween(2.0, 30.0);
        assertThat(jobStates(run)).allMatch(SlurmJobState::ended, "ended");
    }

    /** Time in the queue is not time running: --timeout and --stall-timeout start when the job does. */
    @Test
    void timeSpentPendingCountsAgainstNoWatchdog() throws Exception {
        RunDir run = newRun("pending");
        // limits far above what the 1 s worker needs once running, even on a loaded machine
        var started = slurm().start(args(run, spec("--replicates", "1", "--max-attempts", "1", "--timeout", "8s",
                "--stall-timeout", "8s", "--slurm-opt=--hold"), TestWorker.command("ok", "1")));
        String jobId = await(() -> run.jobIds().isEmpty() ? null : run.jobIds().get(0));
        // held for longer than either limit: the time passing is the point, there is nothing to wait for
        Thread.sleep(10_000);
        ExternalCommand.run(List.of("scontrol", "release", jobId), Duration.ofSeconds(20), SlurmTestCluster.CLIENT_ENV);

        var o = started.await();
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.ends()).singleElement().satisfies(e -> {
            assertThat(e.get("verdict").asText()).isEqualTo("completed");
            assertThat(e.get("duration_s").asDouble()).isLessThan(8.0);
        });
    }

    @Test
    void aCrashedJobIsRetriedAsANewJob() {
        RunDir run = newRun("flaky");
        var o = slurm().run(args(run, spec("--replicates", "2"), TestWorker.command("flaky")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.ends()).extracting(e -> e.get("verdict").asText())
                .containsExactlyInAnyOrder("failed", "failed", "completed", "completed");
        assertThat(run.jobIds()).hasSize(4).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(run.results()).hasSize(2).allSatisfy(r -> assertThat(r.get("attempt")).isEqualTo("2"));
        assertThat(run.ends().stream().filter(e -> e.get("verdict").asText().equals("failed")))
                .allSatisfy(e -> assertThat(e.path("stderr_tail").asText()).contains("flaky: failing on attempt 1"));
    }

    @Test
    void badResultsFailAndTheBudgetEndsTheRun() {
        RunDir run = newRun("garbage");
        var o = slurm().run(args(run, spec("--replicates", "2", "--attempt-budget", "3"), TestWorker.command("garbage")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.stderr()).contains("--attempt-budget");
        assertThat(run.ends()).hasSize(3).allSatisfy(e -> {
            assertThat(e.get("verdict").asText()).isEqualTo("failed");
            assertThat(e.get("exit_code").asInt()).isZero();
        });
        assertThat(workerStarts()).isEqualTo(3);
    }

    @Test
    void exitTwoIsABadTaskAndIsNotRetried() {
        RunDir run = newRun("bad-task");
        var o = slurm().run(args(run, spec("--replicates", "1"), TestWorker.command("bad-task")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("verdict").asText()).isEqualTo("bad-task"));
        assertThat(workerStarts()).isEqualTo(1);
    }

    @Test
    void aJobWithoutProgressIsCancelledAsStalled() {
        RunDir run = newRun("stall");
        var o = slurm().run(args(run, spec("--replicates", "1", "--max-attempts", "1", "--stall-timeout", "2s"),
                TestWorker.command("stall")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("verdict").asText()).isEqualTo("stall"));
        assertThat(jobStates(run)).allMatch(SlurmJobState::ended, "ended");
    }

    @Test
    void literalArgumentsReachTheJobByteForByte() {
        RunDir run = newRun("args");
        Path marker = tmp.resolve("shell-ran");
        List<String> literal = List.of("$(touch " + marker + ")", "`touch " + marker + "`", "a;b", "\"quoted\"",
                "'single'", "*", "two words", "", "--partition=evil", "$HOME", "back\\slash", "{\"lr\": 1}");
        List<String> workerArgs = new ArrayList<>(List.of("0"));
        workerArgs.addAll(literal);
        workerArgs.add("{fold}");
        var o = slurm().run(args(run, spec("--replicates", "1"), TestWorker.command("ok", workerArgs.toArray(String[]::new))));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<String> expected = new ArrayList<>(List.of("ok", "0"));
        expected.addAll(literal);
        expected.add("0");
        assertThat(run.workerRecords()).singleElement()
                .satisfies(w -> assertThat(w.argv()).containsExactlyElementsOf(expected));
        assertThat(marker).as("a shell ran the command substitution").doesNotExist();
    }

    /**
     * The big difference from the local backend: a supervisor on a login node dies, and its
     * jobs run on; the next one adopts them, neither cancelled nor run again. One of them the dead
     * supervisor had not yet journalled (it died between sbatch and its journal line): found by name.
     */
    @Test
    void killMinus9LeavesTheJobsRunningAndResumeAdoptsThem() throws Exception {
        RunDir run = newRun("adopt");
        List<String> spec = spec("--replicates", "2", "--max-running", "2");
        // jobs that run until the test lets them end, after the resume has adopted them
        Path gate = tmp.resolve("gate");
        var started = slurm().start(args(run, spec, TestWorker.command("until", gate.toString())));
        await(() -> run.workerRecords().size() == 2 ? true : null);
        started.signal("KILL");
        assertThat(started.await().exitCode()).isEqualTo(137);
        assertThat(jobStates(run)).containsOnly(SlurmJobState.RUNNING);
        // as if it had died before journalling its second job
        Path journal = run.file("journal.jsonl");
        List<String> lines = Files.readAllLines(journal);
        int second = run.launches().get(1).path("replicate").asInt();
        String lostJob = run.jobIds().get(1);
        lines.removeIf(l -> (l.contains("\"launch\"") || l.contains("\"submitted\""))
                && l.contains("\"replicate\":" + second + ","));
        Files.write(journal, lines);

        var status = slurm().run("status", run.dir().toString());
        assertThat(status.stdout()).as(status.toString()).contains("supervisor not running")
                .containsPattern("job \\d+ on localhost");
        // and as if it had died before sbatch's answer for the first was written: found by its name too
        lines.removeIf(l -> l.contains("\"submitted\""));
        Files.write(journal, lines);

        var resuming = slurm().start(List.of("resume", run.dir().toString()));
        // its run-start line comes once it has taken over both jobs
        await(() -> run.events("run-start").size() == 2 ? true : null);
        Files.writeString(gate, "");
        var resumed = resuming.await();
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.stdout() + resumed.stderr()).contains("found job " + lostJob);
        assertThat(workerStarts()).as("jobs run again").isEqualTo(2);
        assertThat(run.workerRecords()).hasSize(2).allSatisfy(w -> assertThat(w.endMs()).as("ended by itself").isNotNull());
        assertThat(run.ends()).hasSize(2).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("completed"));
        assertThat(run.results()).hasSize(2).allSatisfy(r -> assertThat(r.get("attempt")).isEqualTo("1"));
        assertThat(jobStates(run)).containsOnly(SlurmJobState.COMPLETED);
    }

    /**
     * Issue 19: a job ended the way a preemption ends one on this Slurm (a plain scancel: SIGTERM to every
     * process of the job, see SlurmLauncherTest) is retried, and the retry is given the checkpoint its worker
     * saved, the one written in its TERM handler included.
     */
    @Test
    void aPreemptedJobsRetryContinuesFromTheCheckpointItsWorkerSaved() throws Exception {
        RunDir run = newRun("preempted");
        var started = slurm().start(args(run, spec("--gpus", "none", "--replicates", "1"),
                TestWorker.command("ckpt-preempted")));
        Path state = run.dir().resolve("replicates/0/checkpoint/state");
        String job = await(() -> Files.exists(state) && !run.jobIds().isEmpty() ? run.jobIds().get(0) : null);
        ProcessBuilder scancel = new ProcessBuilder("scancel", job).redirectErrorStream(true);
        scancel.environment().putAll(SlurmTestCluster.CLIENT_ENV);
        Process p = scancel.start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();

        var o = started.await();
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.ends()).hasSize(2);
        assertThat(run.ends().get(0).get("verdict").asText()).isNotEqualTo("completed");
        assertThat(run.launches().get(1).path("checkpoint").asText()).isEqualTo("kept");
        WorkerRecord retry = run.workerRecords().stream().filter(w -> w.attemptDir().endsWith("attempt-2"))
                .findFirst().orElseThrow();
        assertThat(Files.readString(retry.attemptDir().resolve("testworker.txt")))
                .contains("checkpoint=on-term state");
        assertThat(run.results()).singleElement().satisfies(r -> assertThat(r.get("attempt")).isEqualTo("2"));
    }

    /** SIGTERM cancels every job of the run, running or pending, and records each interrupted. */
    @Test
    void sigtermCancelsEveryJobRunningOrPendingAndExits143() throws Exception {
        RunDir run = newRun("sigterm");
        // five GPU jobs on four GPUs: one waits for resources
        List<String> spec = spec("--replicates", "5", "--max-running", "5");
        var started = slurm().start(args(run, spec, TestWorker.command("hang")));
        await(() -> run.workerRecords().size() == 4 && run.launches().size() == 5 ? true : null);

        var status = await(() -> {
            var s = slurm().run("status", run.dir().toString());
            return s.stdout().contains("pending") ? s : null;
        });
        assertThat(status.stdout()).containsPattern("job \\d+ on localhost").containsPattern("job \\d+ pending \\(\\w+\\)");

        started.signal("HUP"); // changes nothing
        Thread.sleep(500); // a while in which it must not stop (nothing to wait for: nothing must happen)
        assertThat(started.process().isAlive()).isTrue();

        // one supervisor per directory
        var second = slurm().run(args(run, spec, TestWorker.command("hang")));
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(2);
        assertThat(second.stderr()).contains("another supervisor");

        started.signal("TERM");
        var o = started.await();
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(143);
        assertThat(run.ends()).hasSize(5).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("interrupted"));
        assertThat(jobStates(run)).allMatch(SlurmJobState::ended, "ended");
        assertThat(run.liveProcesses()).isEmpty();
    }

    @Test
    void placementOptionsOfTheLocalBackendAreUsageErrorsOnSlurm() {
        RunDir run = newRun("usage");
        for (List<String> bad : List.of(List.of("--gpus", "0,1"), List.of("--workers-per-gpu", "2"),
                List.of("--cpu-workers", "2"), List.of("--slurm-opt", "partition=gpu"))) {
            var o = slurm().run(args(run, spec(bad.toArray(String[]::new)), TestWorker.command("ok")));
            assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
            assertThat(o.stderr().lines().toList()).as(o.toString()).singleElement().asString().startsWith("isofold: ");
        }
        var local = slurm().run(args(run, List.of("--max-running", "3"), TestWorker.command("ok")));
        assertThat(local.exitCode()).isEqualTo(2);
        assertThat(local.stderr()).contains("--max-running is for --backend slurm");
        assertThat(run.dir()).doesNotExist();
    }

    @Test
    void aRunKeepsItsBackend() {
        RunDir run = newRun("keep");
        var o = slurm().run(args(run, spec("--gpus", "none", "--replicates", "1"), TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        var local = slurm().run(args(run, List.of("--gpus", "none", "--folds", "2", "--replicates", "1",
                "--kill-grace", "2s"), TestWorker.command("ok")));
        assertThat(local.exitCode()).as(local.toString()).isEqualTo(2);
        assertThat(local.stderr()).contains("keeps its backend");
    }

    /**
     * sbatch runs off the run loop's thread: a slow one (a busy controller) neither holds up the other
     * submissions nor the watchdogs of jobs already running. With sbatch on the loop's thread, the
     * second job's 8 s sbatch kept the first job's 1 s timeout from being acted on for about 7 s.
     * Here each sbatch waits for what only the other can bring about: replicate 0's until replicate
     * 1's has begun, replicate 1's until the journal has replicate 0's end, which its timeout brings.
     */
    @Test
    void aSlowSbatchDelaysNeitherOtherSubmissionsNorTheWatchdogs() throws Exception {
        RunDir run = newRun("slow-sbatch");
        Path log = tmp.resolve("sbatch.log");
        String path = sbatchInFront(log, "case \"$*\" in\n"
                + "  *-r0-a1*) " + waitUntil(log, "[ \"$(grep -c begin '" + log + "')\" -ge 2 ]") + " ;;\n"
                + "  *-r1-a1*) " + waitUntil(log, "grep -q '\"type\":\"end\",\"time\":\"[^\"]*\",\"replicate\":0,' '"
                        + run.file("journal.jsonl") + "'") + " ;;\n"
                + "esac");
        var o = slurm().env("PATH", path).env("ISOFOLD_SLURM_COMMAND_TIMEOUT", "120s").run(args(run,
                spec("--replicates", "2", "--max-running", "2", "--max-attempts", "1", "--timeout", "1s"),
                TestWorker.command("hang")));

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(Files.readString(log)).as("each sbatch saw what it waited for").doesNotContain("gave up");
        assertThat(mostAtOnce(log)).as("sbatch calls running at once").isEqualTo(2);
        JsonNode first = run.ends().stream().filter(e -> e.get("replicate").asInt() == 0).findFirst().orElseThrow();
        assertThat(first.get("verdict").asText()).isEqualTo("timeout");
        assertThat(first.get("duration_s").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(run.ends()).hasSize(2).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("timeout"));
        assertThat(run.jobIds()).hasSize(2).allSatisfy(id -> assertThat(id).matches("\\d+"));
        assertThat(jobStates(run)).allMatch(SlurmJobState::ended, "ended");
    }

    /** A job sbatch refuses is a failed attempt whose reason quotes sbatch, then retried as usual. */
    @Test
    void aRefusedSubmissionIsAFailedAttemptWithSbatchsWords() throws Exception {
        RunDir run = newRun("refused");
        String refusal = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified";
        String path = sbatchInFront(tmp.resolve("sbatch.log"),
                "case \"$*\" in *-r0-a1*) echo '" + refusal + "' >&2; exit 1 ;; esac");
        var o = slurm().env("PATH", path).run(args(run, spec("--gpus", "none", "--replicates", "1"),
                TestWorker.command("ok")));

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.ends()).extracting(e -> e.get("verdict").asText()).containsExactly("failed", "completed");
        assertThat(run.ends().get(0).get("reason").asText()).contains(refusal);
        assertThat(run.jobIds()).hasSize(2).containsOnlyOnce((String) null);
        assertThat(workerStarts()).isEqualTo(1);
    }

    /** A stop while sbatch has not answered yet cancels the job as soon as its id comes: no job runs on unwatched. */
    @Test
    void aStopWhileSbatchRunsCancelsTheJobOnceItsIdComes() throws Exception {
        RunDir run = newRun("stop-submitting");
        Path log = tmp.resolve("sbatch.log");
        Path gate = tmp.resolve("gate");
        // sbatch goes on only once the supervisor is stopping
        String path = sbatchInFront(log, waitUntil(log, "[ -e '" + gate + "' ]"));
        var started = slurm().env("PATH", path).env("ISOFOLD_SLURM_COMMAND_TIMEOUT", "120s").start(args(run,
                spec("--gpus", "none", "--replicates", "1"), TestWorker.command("hang")));
        await(() -> {
            try {
                return Files.exists(log) && Files.readString(log).contains("begin") ? true : null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        started.signal("TERM");
        await(() -> logSays(run, "stopping; ending") ? true : null);
        Files.writeString(gate, "");

        var o = started.await();
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(143);
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("verdict").asText()).isEqualTo("interrupted"));
        assertThat(Files.readString(log)).contains("end");
        List<SlurmJobStatus> jobs = SlurmTestCluster.client().pollByNamePrefix(
                io.isofold.supervisor.slurm.SlurmRun.jobNamePrefix(run.dir()) + "-r");
        assertThat(jobs).singleElement().satisfies(j -> assertThat(j.state().ended()).as(j.toString()).isTrue());
    }

    /**
     * An sbatch that answers after its time limit although Slurm took the job (a busy controller): the
     * job is found by its name and followed. Taken for refused, it ran on unwatched while a retry ran
     * the replicate again as a second job.
     */
    @Test
    void anSbatchThatTimesOutAfterSlurmTookTheJobIsFollowedNotRunTwice() throws Exception {
        RunDir run = newRun("late-sbatch");
        String path = sbatchInFront(tmp.resolve("sbatch.log"), "", "sleep 10");
        var o = slurm().env("PATH", path).env("ISOFOLD_SLURM_COMMAND_TIMEOUT", "2s")
                .run(args(run, spec("--gpus", "none", "--replicates", "1"), TestWorker.command("ok")));

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.ends()).extracting(e -> e.get("verdict").asText()).containsExactly("completed");
        assertThat(run.jobIds()).singleElement().satisfies(id -> assertThat(id).matches("\\d+"));
        assertThat(workerStarts()).isEqualTo(1);
    }

    /**
     * Issue 21, item 2: with the first scancel failing, a --stall-timeout kill was logged, the job ran on,
     * and a Ctrl-C hung until the job was ended by hand. The scancel is tried again until Slurm answers.
     */
    @Test
    void aScancelThatFailsIsTriedAgainUntilTheJobIsCancelled() throws Exception {
        RunDir run = newRun("scancel-fails");
        Path failed = tmp.resolve("scancel-failed");
        String path = inFront("scancel", tmp.resolve("scancel.log"), "if [ ! -e '" + failed + "' ]; then touch '"
                + failed + "'; echo 'scancel: error: Socket timed out on send/recv operation' >&2; exit 1; fi", "");
        var o = slurm().env("PATH", path).run(args(run, spec("--gpus", "none", "--replicates", "1",
                "--max-attempts", "1", "--stall-timeout", "2s"), TestWorker.command("stall")));

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(failed).exists();
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("verdict").asText()).isEqualTo("stall"));
        assertThat(jobStates(run)).allMatch(SlurmJobState::ended, "ended");
        assertThat(run.liveProcesses()).isEmpty();
    }

    /** ... and a stop whose scancel fails at first still ends every job, and the run. */
    @Test
    void aStopWhoseScancelFailsAtFirstStillEndsTheJobs() throws Exception {
        RunDir run = newRun("stop-scancel-fails");
        Path failures = tmp.resolve("scancel-failures");
        // the first three calls fail: a controller that is back after a few seconds
        String path = inFront("scancel", tmp.resolve("scancel.log"), "echo x >> '" + failures + "'; "
                + "if [ $(wc -l < '" + failures + "') -le 3 ]; then echo 'scancel: error: Unable to contact slurm"
                + " controller (connect failure)' >&2; exit 1; fi", "");
        var started = slurm().env("PATH", path).start(args(run, spec("--gpus", "none", "--replicates", "2",
                "--max-running", "2"), TestWorker.command("hang")));
        await(() -> run.workerRecords().size() == 2 ? true : null);

        started.signal("INT");
        var o = started.await();

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(130);
        assertThat(Files.readAllLines(failures)).hasSizeGreaterThan(3);
        assertThat(run.ends()).hasSize(2).allSatisfy(e -> assertThat(e.get("verdict").asText()).isEqualTo("interrupted"));
        assertThat(jobStates(run)).allMatch(SlurmJobState::ended, "ended");
        assertThat(run.liveProcesses()).isEmpty();
    }

    /**
     * Issue 21, item 3: squeue exiting 0 with nothing for 3 s had attempt 1 judged "Slurm no longer knows
     * job", and attempt 2 ran beside it. Answers that leave out a running job end nothing.
     */
    @Test
    void squeueAnswersThatLeaveOutARunningJobDoNotRunTheReplicateTwice() throws Exception {
        RunDir run = newRun("squeue-blank");
        Path blank = tmp.resolve("squeue-blank");
        Path blanks = tmp.resolve("squeue-blanks");
        String path = inFront("squeue", tmp.resolve("squeue.log"), "if [ -e '" + blank + "' ]; then echo x >> '"
                + blanks + "'; exit 0; fi", "");
        var started = slurm().env("PATH", path).start(args(run, spec("--gpus", "none", "--replicates", "1"),
                TestWorker.command("ok", "8")));
        await(() -> run.workerRecords().size() == 1 && !run.events("began").isEmpty() ? true : null);

        Files.writeString(blank, "");
        await(() -> Files.exists(blanks) && lines(blanks) >= 10 ? true : null);
        Files.delete(blank);
        var o = started.await();

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.jobIds()).hasSize(1);
        assertThat(run.ends()).extracting(e -> e.get("verdict").asText()).containsExactly("completed");
        assertThat(workerStarts()).isEqualTo(1);
    }

    /** Issue 21, item 13: when sbatch refuses every job, what helps is other sbatch options, not more attempts. */
    @Test
    void whenSbatchRefusesEveryJobTheHintIsANewSlurmOpt() throws Exception {
        RunDir run = newRun("refused-all");
        String refusal = "sbatch: error: Batch job submission failed: Invalid account or account/partition"
                + " combination specified";
        String path = sbatchInFront(tmp.resolve("sbatch.log"), "echo '" + refusal + "' >&2; exit 1");
        var o = slurm().env("PATH", path).run(args(run, spec("--gpus", "none", "--replicates", "1",
                "--slurm-opt=--account=nosuch"), TestWorker.command("ok")));

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.stderr()).contains("sbatch refused every job: " + refusal);
        assertThat(o.stdout()).containsPattern("to go on: .* resume " + java.util.regex.Pattern.quote(
                run.dir().toString()) + " --slurm-opt=").doesNotContain("--attempt-budget <more>")
                .doesNotContain("--max-attempts <more>");
        assertThat(workerStarts()).isZero();
    }

    private static long lines(Path file) {
        try {
            return Files.readAllLines(file).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String sbatchInFront(Path log, String before) throws Exception {
        return sbatchInFront(log, before, "");
    }

    private String sbatchInFront(Path log, String before, String after) throws Exception {
        return inFront("sbatch", log, before, after);
    }

    /**
     * A PATH whose {@code command} (sbatch, squeue, scancel) runs {@code before} (shell code that sees
     * the command's arguments as $*), then the real one, then {@code after}, logging "begin" and "end"
     * lines with nanosecond times to {@code log}. Commands put in front earlier in the test stay there.
     */
    private String inFront(String command, Path log, String before, String after) throws Exception {
        String real = null;
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                real = Path.of(dir, command).toString();
                break;
            }
        }
        assertThat(real).as(command + " on PATH").isNotNull();
        Path bin = Files.createDirectories(tmp.resolve("slurm-bin"));
        Path wrapper = bin.resolve(command);
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "echo \"begin $(date +%s%N)\" >> '" + log + "'\n"
                + before + "\n"
                + "'" + real + "' \"$@\"; s=$?\n"
                + after + "\n"
                + "echo \"end $(date +%s%N)\" >> '" + log + "'\n"
                + "exit $s\n");
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin + ":" + gpus.path();
    }

    /** The most sbatch calls the log shows running at one time. */
    private static int mostAtOnce(Path log) throws Exception {
        List<long[]> marks = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] f = line.split(" ");
            marks.add(new long[] {Long.parseLong(f[1]), f[0].equals("begin") ? 1 : -1});
        }
        // ends before begins at the same instant: touching is not overlapping
        marks.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int most = 0;
        for (long[] m : marks) {
            now += (int) m[1];
            most = Math.max(most, now);
        }
        return most;
    }

    /**
     * The states Slurm now reports for every job the run launched. A running job that isofold ends
     * gets TERM (scancel --signal) and reports the worker's 143: FAILED; a pending one is CANCELLED.
     */
    private static Set<SlurmJobState> jobStates(RunDir run) {
        List<Long> ids = run.jobIds().stream().map(Long::parseLong).toList();
        try {
            Map<Long, SlurmJobStatus> states = SlurmTestCluster.client().poll(ids);
            assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            return states.values().stream().map(SlurmJobStatus::state).collect(Collectors.toSet());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static <T> T await(Supplier<T> value) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                T v = value.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException | AssertionError notYet) {
                // a file being written (a journal line half there): read it again
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("not within " + WAIT);
    }

    /**
     * Shell code that waits until {@code condition} (shell code) holds, 100 s at most: then it logs
     * "gave up" to {@code log} and goes on, for the test to fail on.
     */
    private static String waitUntil(Path log, String condition) {
        return "for i in $(seq 2000); do if " + condition + "; then break; fi; sleep 0.05; done; "
                + "if ! " + condition + "; then echo 'gave up' >> '" + log + "'; fi";
    }

    private static boolean logSays(RunDir run, String text) {
        try {
            return Files.readString(run.file("supervisor.log")).contains(text);
        } catch (java.io.IOException notYet) {
            return false;
        }
    }
}
