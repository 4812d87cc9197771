package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What real machines do to an overnight run, each reproduced for real: output nobody reads, a
 * dying terminal, a stop in the middle of a clean-up, shared memory, a GPU that fails fast or is
 * sick, a GPU slot that computed on the CPU, results far larger than expected.
 */
@Tag("e2e")
class HostileWorldTest extends EndToEndTest {

    /** Issue 8 item 2: a full stdout pipe froze the loop: a --timeout 8s worker was alive at 28 s. */
    @Test
    void aStdoutNobodyReadsNeverFreezesTheRun() throws Exception {
        Path fifo = tmp.resolve("stdout.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        // opened read-write, as a reader that never reads; filled to the pipe's capacity, so the first write blocks
        try (RandomAccessFile nobodyReads = new RandomAccessFile(fifo.toFile(), "rw")) {
            nobodyReads.write(new byte[65536]);
            RunDir run = newRun("blocked-stdout");
            SupervisorProcess.Outcome o = supervisor().stdoutTo(fifo).timeout(Duration.ofSeconds(60)).run(args(run,
                    List.of("--gpus", "none", "--replicates", "1", "--folds", "2", "--timeout", "2s", "--kill-grace",
                            "1s", "--max-attempts", "1"), TestWorker.command("hang")));
            // a frozen loop would never end the 2 s attempt (it sleeps 300 s): the 60 s limit above fails it
            assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
            assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("verdict").asText()).isEqualTo("timeout"));
        }
    }

    /** Issue 8 item 7: SIGHUP (the ssh session dropped) killed the supervisor at once and orphaned its workers. */
    @Test
    void sighupLetsTheRunGoOnToItsEnd() throws Exception {
        RunDir run = newRun("hangup");
        Path gate = tmp.resolve("gate");
        var started = supervisor().start(args(run, List.of("--gpus", "none", "--folds", "3"),
                TestWorker.command("until", gate.toString())));
        waitFor(() -> Files.exists(run.file("journal.jsonl")) && !run.launches().isEmpty());
        started.signal("HUP");
        // the first worker runs until the supervisor has taken the signal
        waitFor(() -> logSays(run, "SIGHUP"));
        Files.writeString(gate, "");
        SupervisorProcess.Outcome o = started.await();
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.results()).hasSize(3);
        assertThat(Files.readString(run.file("supervisor.log"))).contains("SIGHUP");
    }

    /**
     * Issue 8 item 4: a worker wrote a valid result, exited 0 and left a child that ignores SIGTERM; a
     * SIGINT during that child's kill grace recorded the attempt as interrupted, and the resume ran it again.
     */
    @Test
    void aStopDuringACompletedAttemptsCleanUpKeepsItCompleted() throws Exception {
        RunDir run = newRun("stop-in-cleanup");
        // a grace long enough that the INT below lands in it even when this test runs slowly
        List<String> options = List.of("--gpus", "none", "--replicates", "1", "--folds", "2", "--kill-grace", "8s");
        var started = supervisor().start(args(run, options, TestWorker.command("ok-stubborn-child")));
        Path exitStatus = run.attemptDir(0, 1).resolve("exit_status");
        waitFor(() -> Files.exists(exitStatus));
        // the sweep of the stubborn child has begun: it got SIGTERM, and has the grace before SIGKILL
        waitFor(() -> Files.exists(run.attemptDir(0, 1).resolve("stubborn-child.term")));
        started.signal("INT");
        SupervisorProcess.Outcome o = started.await();
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("verdict").asText())
                .as(o.toString()).isEqualTo("completed"));
        assertThat(run.events("kill")).isEmpty();
        SupervisorProcess.Outcome resumed = supervisor().run("resume", run.dir().toString());
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(workerStarts()).isEqualTo(1);
    }

    /** Issue 8 item 9: RSS summed over a forked tree counted shared pages once per process: 785 MiB for ~150. */
    @Test
    void memoryCountsSharedPagesOnce() {
        RunDir run = newRun("forked-memory");
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--gpus", "none", "--replicates", "1",
                "--folds", "2", "--max-memory", "400m", "--max-attempts", "1"), TestWorker.command("forked-memory")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.results()).hasSize(1);
    }

    /** Issue 9 item 5: a GPU whose attempts die at once took replicate after replicate: 6 of 24 results. */
    @Test
    void aBlackHoleGpuIsQuarantinedAndTheRunCompletes() {
        RunDir run = newRun("black-hole");
        SupervisorProcess.Outcome o = supervisor().timeout(Duration.ofSeconds(120)).run(args(run,
                List.of("--folds", "4", "--replicates", "24", "--max-attempts", "5"),
                TestWorker.command("crash-on-gpu", "1")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.results()).hasSize(24);
        // three different replicates once another GPU has completed work, six before: which one, the load decides
        assertThat(run.launches().stream().filter(l -> l.get("gpu").asText().equals("1")).count()).isLessThanOrEqualTo(6);
        assertThat(run.events("quarantine")).singleElement()
                .satisfies(q -> assertThat(q.get("gpu").asText()).isEqualTo("1"));
        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.stdout()).contains("GPU 1 quarantined");
    }

    /** Issue 9 item 5: a GPU whose health counters report uncorrected ECC errors gets no attempt. */
    @Test
    void aSickGpuGetsNoAttempt() {
        gpus.markSick(2, "ecc");
        RunDir run = newRun("sick");
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--folds", "4"),
                TestWorker.command("ok", "0.5")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.launches()).noneSatisfy(l -> assertThat(l.get("gpu").asText()).isEqualTo("2"));
        assertThat(run.events("quarantine")).singleElement()
                .satisfies(q -> assertThat(q.get("reason").asText()).contains("ECC"));
    }

    /** Issue 9 item 1: a GPU slot that computed on the CPU stops the run at once, naming what is missing. */
    @Test
    void aGpuSlotThatComputedOnTheCpuStopsTheRun() {
        RunDir run = newRun("cpu-fallback");
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--folds", "4"),
                TestWorker.command("device", "CPU")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        String line = o.stderr().lines().filter(l -> l.startsWith("isofold:")).findFirst().orElseThrow();
        assertThat(line).contains("computed on the CPU").contains("libcudart.so.12").contains("doctor");

        RunDir allowed = newRun("cpu-fallback-allowed");
        SupervisorProcess.Outcome ok = supervisor().run(args(allowed, List.of("--folds", "4", "--allow-cpu-fallback"),
                TestWorker.command("device", "CPU")));
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
    }

    /**
     * Issue 8 item 1: a 36 MB result.json (metrics plus predictions) or a 90 MB progress.jsonl killed the
     * supervisor from the loop or the report thread. Now with a 48 MB heap, two 40 MiB files of each kind.
     */
    @Test
    void resultAndProgressFilesFarLargerThanTheHeapAreRead() {
        RunDir run = newRun("big-files");
        SupervisorProcess.Outcome o = supervisor().jvmOption("-Xmx48m").timeout(Duration.ofSeconds(120)).run(args(run,
                List.of("--gpus", "none", "--folds", "2"), TestWorker.command("big-result", "40")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(run.results()).extracting(r -> r.get("accuracy")).containsOnly("0.875");
        SupervisorProcess.Outcome report = supervisor().jvmOption("-Xmx48m").run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
    }

    /**
     * Issue 21 item 13: a worker writing to its stdout without end filled the disk: logs had no cap. Now each
     * log keeps its end, near --max-log-size; also a standby's, whose logs are linked into its attempt.
     */
    @Test
    void aWorkerFloodingItsOutputKeepsItsLogsNearTheCapWithTheirLastLines() throws Exception {
        RunDir run = newRun("log-flood");
        var o = supervisor().timeout(Duration.ofSeconds(240)).run(args(run, List.of("--gpus", "none", "--folds", "2",
                "--standby", "--max-log-size", "2m"), TestWorker.command("spew", "40")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        for (int r = 0; r < 2; r++) {
            Path dir = run.attemptDir(r, 1);
            for (String stream : List.of("stdout", "stderr")) {
                Path log = dir.resolve(stream + ".log");
                assertThat(Files.size(log)).as(log.toString()).isBetween(2L << 20, 3L << 20);
                assertThat(diskUsage(log)).as(log.toString()).isLessThanOrEqualTo(3L << 20);
                assertThat(Files.readAllLines(log)).last().isEqualTo("last line of " + stream + " " + dir);
            }
        }
        assertThat(Files.readString(run.file("supervisor.log"))).contains("passed --max-log-size 2m");
        assertThat(run.file("run.json")).content().contains("\"max_log_size\" : \"2m\"");

        // a resume may change it, and records what it changed
        var resumed = supervisor().run("resume", run.dir().toString(), "--max-log-size", "none");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.file("run.json")).content().contains("\"max_log_size\" : \"none\"");
    }

    /** Blocks the file holds on disk, in bytes, as du counts them. */
    private static long diskUsage(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String[] f = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                .strip().split(" ");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting");
            }
            Thread.sleep(50);
        }
    }

    private static boolean logSays(RunDir run, String text) {
        try {
            return Files.readString(run.file("supervisor.log")).contains(text);
        } catch (java.io.IOException notYet) {
            return false;
        }
    }
}
