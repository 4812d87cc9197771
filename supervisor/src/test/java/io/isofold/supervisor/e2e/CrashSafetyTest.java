package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The supervisor itself dies, is stopped, or meets a second supervisor: nothing completed is lost or
 * redone, and no worker is left running.
 */
@Tag("e2e")
class CrashSafetyTest extends EndToEndTest {

    /**
     * A worker for resume tests: replicates 0-3 finish at once; 4-7 take $SLOW_SECONDS when the
     * supervisor's environment sets it, so a test can SIGKILL the supervisor while they run.
     */
    private Path resumeWorker() throws IOException {
        Path script = tmp.resolve("resumeworker.sh");
        Files.writeString(script, "#!/bin/bash\n"
                + "if [ \"$ISOFOLD_REPLICATE\" -ge 4 ] && [ -n \"${SLOW_SECONDS:-}\" ]; then\n"
                + "  exec " + TestWorker.script() + " ok \"$SLOW_SECONDS\"\n"
                + "fi\n"
                + "exec " + TestWorker.script() + " ok 0.2\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void aResumeAfterSigkillKillsWhatTheDeadSupervisorLeftAndRetriesIt() throws Exception {
        RunDir run = newRun("sigkill");
        Path starts = tmp.resolve("starts.log");
        List<String> args = args(run, List.of("--folds", "4", "--replicates", "8", "--kill-grace", "1s"),
                List.of("--", resumeWorker().toString()));
        SupervisorProcess.Started first = supervisor().env("TESTWORKER_STARTS", starts.toString())
                .env("SLOW_SECONDS", "60").start(args);
        waitFor(() -> run.ends().size() == 4 && run.launches().size() == 8, Duration.ofSeconds(60));
        first.process().destroyForcibly().waitFor(); // SIGKILL: no handler runs, the journal just stops
        assertThat(run.liveProcesses()).as("workers outlive a SIGKILLed supervisor (own sessions)").isNotEmpty();

        SupervisorProcess.Outcome second = supervisor().env("TESTWORKER_STARTS", starts.toString()).run(args);

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(run.results()).extracting(r -> r.get("replicate")).containsExactlyInAnyOrder(
                "0", "1", "2", "3", "4", "5", "6", "7");
        assertNoCompletedReplicateRedone(run, starts);
        // the four still running were killed on resume, recorded as lost, and run again
        assertThat(run.ends()).filteredOn(e -> e.get("verdict").asText().equals("supervisor-lost"))
                .extracting(e -> e.get("replicate").asInt()).containsExactlyInAnyOrder(4, 5, 6, 7);
        assertThat(run.results()).filteredOn(r -> Integer.parseInt(r.get("replicate")) >= 4)
                .allMatch(r -> r.get("attempt").equals("2"));
        assertThat(run.events("run-start")).hasSize(2);
    }

    @Test
    void aWorkerThatFinishedWhileNoSupervisorWatchedIsJudgedOnResumeNotRunAgain() throws Exception {
        RunDir run = newRun("finished-unwatched");
        Path starts = tmp.resolve("starts.log");
        List<String> args = args(run, List.of("--folds", "4", "--replicates", "8"),
                List.of("--", resumeWorker().toString()));
        SupervisorProcess.Started first = supervisor().env("TESTWORKER_STARTS", starts.toString())
                .env("SLOW_SECONDS", "2").start(args);
        waitFor(() -> run.ends().size() == 4 && run.launches().size() == 8, Duration.ofSeconds(60));
        first.process().destroyForcibly().waitFor();
        waitFor(() -> run.liveProcesses().isEmpty(), Duration.ofSeconds(30));

        SupervisorProcess.Outcome second = supervisor().env("TESTWORKER_STARTS", starts.toString()).run(args);

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(run.results()).hasSize(8).allMatch(r -> r.get("attempt").equals("1"));
        assertThat(Files.readAllLines(starts)).as("no worker started again").hasSize(8);
        assertNoCompletedReplicateRedone(run, starts);
    }

    @Test
    void aDifferentSpecOnTheSameDirectoryIsRefusedNamingWhatDiffers() {
        RunDir run = newRun("spec");
        List<String> worker = TestWorker.command("ok");
        SupervisorProcess.Outcome first = supervisor().run(args(run, List.of("--folds", "2"), worker));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Map<String, String> before = run.snapshot();

        SupervisorProcess.Outcome second = supervisor().run(args(run, List.of("--folds", "3", "--seed", "7"), worker));

        assertThat(second.exitCode()).isEqualTo(2);
        assertThat(second.stderr().strip().lines()).hasSize(1);
        assertThat(second.stderr()).contains("folds: 2 in the run, 3 now").contains("seed: 42 in the run, 7 now")
                .contains("new --out");
        assertThat(run.snapshot()).as("a refused resume changes no file").isEqualTo(before);
    }

    @Test
    void aTornLastJournalLineIsSkippedWithAWarningAndTheRunResumes() throws Exception {
        RunDir run = newRun("torn");
        List<String> args = args(run, List.of("--folds", "2", "--replicates", "4", "--gpus", "0,1"),
                TestWorker.command("ok", "1"));
        SupervisorProcess.Started first = supervisor().start(args);
        waitFor(() -> run.ends().size() >= 2, Duration.ofSeconds(30));
        first.process().destroyForcibly().waitFor();
        Files.writeString(run.file("journal.jsonl"), "{\"type\":\"end\",\"time\":\"2026-", StandardOpenOption.APPEND);

        SupervisorProcess.Outcome resumed = supervisor().run(args);

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.stdout()).contains("unreadable and was skipped").contains("torn by a crash");
        assertThat(run.results()).hasSize(4);
    }

    @Test
    void anUnwritableAttemptDirectoryStopsTheRunClearlyAndKeepsWhatWasRecorded() throws Exception {
        RunDir run = newRun("unwritable");
        List<String> args = args(run, List.of("--folds", "4", "--replicates", "8"),
                List.of("--", resumeWorker().toString()));
        SupervisorProcess.Started first = supervisor().env("SLOW_SECONDS", "60").start(args);
        waitFor(() -> run.ends().size() == 4 && run.launches().size() == 8, Duration.ofSeconds(60));
        first.process().destroyForcibly().waitFor();
        // a regular file where replicate 5's directory must go: creating attempt-2 under it fails,
        // as a full disk or a broken mount would (permissions cannot show it: tests may run as root)
        Path blocked = run.dir().resolve("replicates/5");
        try (var files = Files.walk(blocked)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.writeString(blocked, "not a directory");

        SupervisorProcess.Outcome resumed = supervisor().run(args);

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
        assertThat(resumed.stderr()).contains("cannot write the attempt directory").contains("replicates/5/attempt-2");
        assertThat(resumed.stderr()).doesNotContain("Exception");
        // what was completed before stays recorded and readable
        assertThat(run.results()).extracting(r -> r.get("replicate")).contains("0", "1", "2", "3");
        assertThat(run.events("run-end")).hasSize(1);
    }

    /**
     * The chaos test: 48 replicates on 4 fake GPUs (2 workers each), a third of the first
     * attempts misbehaving in every way the watchdogs know, while the supervisor is SIGKILLed at three
     * random moments and started again on the same directory.
     */
    @Test
    void chaos() throws Exception {
        long seed = Long.getLong("chaos.seed", Math.floorMod(System.nanoTime(), 10_000L));
        Random random = new Random(seed);
        RunDir run = newRun("chaos");
        Path starts = tmp.resolve("chaos-starts.log");
        Path worker = chaosWorker();
        int n = 48;
        List<String> args = new ArrayList<>(List.of("--out", run.dir().toString(), "--folds", "4",
                "--replicates", Integer.toString(n), "--workers-per-gpu", "2", "--timeout", "3s",
                "--max-memory", "150m", "--kill-grace", "1s", "--max-attempts", "5", "--", worker.toString()));
        SupervisorProcess supervisor = supervisor().env("TESTWORKER_STARTS", starts.toString())
                .env("CHAOS_SEED", Long.toString(seed)).timeout(Duration.ofMinutes(3));
        long t0 = System.nanoTime();

        int kills = 0;
        for (; kills < 3; kills++) {
            SupervisorProcess.Started s = supervisor.start(args);
            long delay = 1500 + random.nextInt(3500);
            if (s.process().waitFor(delay, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                break; // finished before the kill: nothing left to survive
            }
            s.process().destroyForcibly().waitFor();
        }
        SupervisorProcess.Outcome last = supervisor.run(args);
        System.out.println(last);
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(last.exitCode()).as(last.toString()).isZero();
        List<Map<String, String>> rows = run.results();
        assertThat(rows).hasSize(n);
        assertThat(rows.stream().map(r -> r.get("replicate")).distinct().count()).isEqualTo(n);
        assertNoCompletedReplicateRedone(run, starts);
        // every failed attempt keeps its logs
        for (JsonNode end : run.ends()) {
            if (!end.get("verdict").asText().equals("completed")) {
                Path dir = run.attemptDir(end.get("replicate").asInt(), end.get("attempt").asInt());
                assertThat(dir.resolve("stdout.log")).exists();
                assertThat(dir.resolve("stderr.log")).exists();
            }
        }
        assertThat(run.liveProcesses()).isEmpty();
        Map<String, Integer> verdicts = new TreeMap<>();
        run.ends().forEach(e -> verdicts.merge(e.get("verdict").asText(), 1, Integer::sum));
        System.out.printf("chaos (seed %d): %d replicates, %d attempts %s, %d supervisor kills survived, %.1f s%n",
                seed, n, run.launches().size(), verdicts, kills, seconds);
        // the misbehaviour really happened and was caught (a hang or leak cut short by a supervisor kill
        // ends as supervisor-lost instead, so not every kind shows in every run; WatchdogTest has each)
        assertThat(verdicts.keySet()).contains("completed", "failed").containsAnyOf("timeout", "memory");
    }

    /** Every replicate's completed attempt is its last start: nothing ran it again after it completed. */
    private static void assertNoCompletedReplicateRedone(RunDir run, Path starts) throws IOException {
        Map<Integer, Integer> completedAttempt = new HashMap<>();
        for (Map<String, String> row : run.results()) {
            completedAttempt.put(Integer.parseInt(row.get("replicate")), Integer.parseInt(row.get("attempt")));
        }
        Map<Integer, Integer> lastStarted = new HashMap<>();
        for (String line : Files.readAllLines(starts)) {
            // "<out>/replicates/<r>/attempt-<a> <pid> <ms>"
            Path dir = Path.of(line.split(" ")[0]);
            int attempt = Integer.parseInt(dir.getFileName().toString().substring("attempt-".length()));
            int replicate = Integer.parseInt(dir.getParent().getFileName().toString());
            lastStarted.merge(replicate, attempt, Math::max);
        }
        assertThat(lastStarted).isEqualTo(completedAttempt);
    }

    private static Path chaosWorker() throws IOException {
        Path dir = TestWorker.script().getParent();
        Path script = dir.resolve("chaosworker.sh");
        try (InputStream in = Objects.requireNonNull(CrashSafetyTest.class.getResourceAsStream("/chaosworker.sh"))) {
            Path tmp = Files.createTempFile(dir, "chaosworker", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return script;
    }

    /** A condition on files the supervisor has not written yet is not met, rather than an error. */
    private static boolean holds(BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (UncheckedIOException notYet) {
            return false;
        }
    }

    static void waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(50);
        }
    }
}
