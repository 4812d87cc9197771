package io.isofold.supervisor.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.Task;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.GpuRequest;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.proc.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a resume makes of attempts a dead supervisor left without an end, judged from the files it
 * left: the journal and each attempt's exit_status; and who may take a run.
 */
@Tag("unit")
class RunSetupTest {
    @TempDir
    Path out;

    private RunSpec spec() {
        return new RunSpec(out,
                new RunSpec.Experiment(2, 2, 42, List.of(ModelConfig.defaults("cnn")), List.of("/bin/true"), null,
                        out),
                new RunSpec.Placement(GpuRequest.NONE, 1, 1),
                new RunSpec.Limits(Duration.ofSeconds(1), null, null, Duration.ofMillis(200), 3, 4, 0, null),
                new RunSpec.Options(false, List.of(), false, List.of(), false, true, false, Duration.ofMinutes(10), null));
    }

    private RunFiles files() {
        return new RunFiles(out);
    }

    /** A journal that ends with the given attempts launched and no end. */
    private void deadSupervisorLeft(List<AttemptId> launched, LaunchIdentity identity, List<JournalEvent> more)
            throws Exception {
        Files.writeString(files().runJson(), spec().toJson().toPrettyString());
        try (Journal journal = Journal.open(files().journal())) {
            journal.append(new JournalEvent.RunStart(Instant.now().toString(), 1, "host", "boot", 1L, spec().toJson()));
            for (AttemptId id : launched) {
                Path dir = Files.createDirectories(files().attempt(id).dir());
                journal.append(JournalEvent.Launch.of(Instant.now().toString(), id, "cpu/0", "cpu", identity,
                        dir.toString()));
            }
            for (JournalEvent e : more) {
                journal.append(e);
            }
        }
    }

    private void deadSupervisorLeft(List<AttemptId> launched, List<JournalEvent> more) throws Exception {
        deadSupervisorLeft(launched, LaunchIdentity.none(), more);
    }

    private static AttemptId attempt(int replicate) {
        return new AttemptId(replicate, "cnn", replicate, replicate, 0, 1);
    }

    private AttemptRecord afterResume(int replicate) throws Exception {
        try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher(), false)) {
            assertThat(setup.resumed()).isTrue();
            return setup.history().attempts().stream()
                    .filter(r -> r.id().replicate() == replicate).findFirst().orElseThrow();
        }
    }

    private Verdict verdictAfterResume(int replicate) throws Exception {
        return afterResume(replicate).verdict();
    }

    @Test
    void anAttemptWithoutExitStatusWasLost() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
    }

    @Test
    void anAttemptThatExitedZeroWithAResultCompleted() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        Path dir = files().attempt(attempt(0)).dir();
        Files.writeString(dir.resolve("exit_status"), "0\n");
        Files.writeString(dir.resolve("result.json"), "{\"metrics\":{\"val_accuracy\":0.9}}");
        AttemptRecord a = afterResume(0);
        assertThat(a.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(a.outcome().metrics()).containsEntry("val_accuracy", 0.9);
    }

    /** The built-in worker exits 3 when it sees its supervisor die: not a failure of the worker. */
    @Test
    void theBuiltInWorkersExitThreeIsSupervisorLostNotAFailure() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        Files.writeString(files().attempt(attempt(0)).exitStatus(), "3\n");
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
        assertThat(Verdict.SUPERVISOR_LOST.countsAgainstReplicate()).isFalse();
    }

    @Test
    void anAttemptTheDeadSupervisorWasKillingKeepsTheKillsReason() throws Exception {
        AttemptId id = attempt(1);
        deadSupervisorLeft(List.of(id), List.of(JournalEvent.Kill.of(Instant.now().toString(), id,
                Verdict.TIMEOUT, "still running after 1s (--timeout)")));
        Files.writeString(files().attempt(id).exitStatus(), "143\n");
        assertThat(verdictAfterResume(1)).isEqualTo(Verdict.TIMEOUT);
        assertThat(Files.readString(files().journal())).contains("\"verdict\":\"timeout\"");
    }

    @Test
    void aTornExitStatusCountsAsLostRatherThanAsAnExit() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        Files.writeString(files().attempt(attempt(0)).exitStatus(), "");
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
        assertThat(Json.MAPPER.readTree(files().runJson().toFile()).get("folds").asInt()).isEqualTo(2);
    }

    @Test
    void theEndsAreJournalledSoASecondResumeSeesTheSame() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        verdictAfterResume(0);
        long ends = Files.readAllLines(files().journal()).stream().filter(l -> l.contains("\"type\":\"end\"")).count();
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
        assertThat(Files.readAllLines(files().journal()).stream()
                .filter(l -> l.contains("\"type\":\"end\"")).count()).isEqualTo(ends);
    }

    /**
     * Item 5: the journal names a pid and session that now belong to someone else. A stranger in
     * its own session, with the exact pid, session and start time the journal recorded, is still
     * left alone when the attempt's exit_status proves the worker ended; and one whose start time
     * differs is never taken for the attempt.
     */
    @Test
    void aResumeNeverKillsAStrangerThatReusedTheRecordedPidOrSession() throws Exception {
        Process stranger = new ProcessBuilder("setsid", "sleep", "60").start();
        try {
            long pid = stranger.pid();
            long ticks = waitForStartTicks(pid);
            AttemptId ended = attempt(0);
            AttemptId otherTicks = attempt(1);
            deadSupervisorLeft(List.of(ended), LaunchIdentity.process(pid, pid, ticks, ProcessTable.bootId()), List.of());
            try (Journal journal = Journal.open(files().journal())) {
                Path dir = Files.createDirectories(files().attempt(otherTicks).dir());
                journal.append(JournalEvent.Launch.of(Instant.now().toString(), otherTicks, "cpu/0", "cpu",
                        LaunchIdentity.process(pid, pid, ticks - 1, ProcessTable.bootId()), dir.toString()));
            }
            Files.writeString(files().attempt(ended).exitStatus(), "1\n");
            try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher(), false)) {
                assertThat(setup.history().unfinished()).isEmpty();
            }
            assertThat(stranger.isAlive()).as("the stranger must survive the resume").isTrue();
        } finally {
            stranger.destroyForcibly().waitFor();
        }
    }

    /**
     * Issue 21 item 12: the supervisor wrote task.json, started the worker and died before the journal had
     * the launch line. The attempt directory is all that names the attempt.
     */
    private Path preparedButNotJournalled(int replicate, int attempt) throws Exception {
        if (!Files.exists(files().journal())) {
            deadSupervisorLeft(List.of(), List.of());
        }
        RunFiles.AttemptFiles f = files().attempt(replicate, attempt);
        Files.createDirectories(f.dir());
        // the fields that name the attempt, as the supervisor writes them; the rest of a task does not matter here
        var task = Json.MAPPER.createObjectNode().put("replicate", replicate).put("index", replicate).put("model", "cnn")
                .put("fold", replicate % 2).put("folds", 2).put("shuffle", 0).put("attempt", attempt).put("gpu", "cpu")
                .put("attempt_dir", f.dir().toString()).put("progress_file", f.progress().toString())
                .put("result_file", f.result().toString());
        Files.writeString(f.task(), task.toPrettyString());
        assertThat(Json.MAPPER.readValue(f.task().toFile(), Task.class).attempt()).isEqualTo(attempt);
        return f.dir();
    }

    private long journalLines(String type, int replicate) throws Exception {
        return Files.readAllLines(files().journal()).stream()
                .filter(l -> l.contains("\"type\":\"" + type + "\"") && l.contains("\"replicate\":" + replicate + ","))
                .count();
    }

    @Test
    void anAttemptStartedButNotJournalledThatExitedZeroWithAResultIsCompletedAndCountedOnce() throws Exception {
        Path dir = preparedButNotJournalled(0, 1);
        Files.writeString(dir.resolve("result.json"), "{\"metrics\":{\"val_accuracy\":0.9}}");
        Files.writeString(dir.resolve("exit_status"), "0\n");

        AttemptRecord a = afterResume(0);

        assertThat(a.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(a.id().attempt()).isEqualTo(1);
        assertThat(a.outcome().metrics()).containsEntry("val_accuracy", 0.9);
        assertThat(journalLines("launch", 0)).isEqualTo(1);
        assertThat(journalLines("end", 0)).isEqualTo(1);
        // a second resume finds it in the journal, and records nothing more
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.COMPLETED);
        assertThat(journalLines("launch", 0)).isEqualTo(1);
        assertThat(journalLines("end", 0)).isEqualTo(1);
    }

    @Test
    void anAttemptStartedButNotJournalledThatIsStillRunningIsEndedAndLost() throws Exception {
        Path dir = preparedButNotJournalled(1, 1);
        // a worker of that attempt, known only by the ISOFOLD_ATTEMPT_DIR it carries
        ProcessBuilder pb = new ProcessBuilder("setsid", "sleep", "60");
        pb.environment().put("ISOFOLD_ATTEMPT_DIR", dir.toString());
        Process worker = pb.start();
        try {
            waitForStartTicks(worker.pid());
            AttemptRecord a = afterResume(1);
            assertThat(a.verdict()).isEqualTo(Verdict.SUPERVISOR_LOST);
            assertThat(worker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the worker was ended").isTrue();
        } finally {
            worker.destroyForcibly().waitFor();
        }
    }

    @Test
    void aDirectoryWithoutATaskOrBelowTheLastRecordedAttemptIsNotRecorded() throws Exception {
        deadSupervisorLeft(List.of(new AttemptId(1, "cnn", 1, 1, 0, 2)), List.of());
        Files.createDirectories(files().attempt(0, 1).dir()); // created, task.json not written yet: never started
        preparedButNotJournalled(1, 1); // passed over by an earlier resume that ran attempt 2
        try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher(), false)) {
            assertThat(setup.history().attempts()).extracting(r -> r.id().replicate() + "/" + r.id().attempt())
                    .containsExactly("1/2");
        }
    }

    /** Item 8: deleting run.lock must not let a second supervisor take a live run. */
    @Test
    void aLiveSupervisorNamedByTheJournalKeepsTheRunEvenWithoutItsLockFile() throws Exception {
        Files.writeString(files().runJson(), spec().toJson().toPrettyString());
        Process holder = new ProcessBuilder("sleep", "60").start();
        try {
            long ticks = waitForStartTicks(holder.pid());
            try (Journal journal = Journal.open(files().journal())) {
                journal.append(new JournalEvent.RunStart(Instant.now().toString(), holder.pid(),
                        io.isofold.supervisor.journal.RunLock.hostName(), ProcessTable.bootId(), ticks,
                        spec().toJson()));
            }
            assertThat(files().lock()).doesNotExist();
            assertThatThrownBy(() -> RunSetup.prepare(spec(), new LocalLauncher(), false))
                    .isInstanceOf(BadInput.class)
                    .hasMessageContaining("another supervisor (pid " + holder.pid() + ")");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        // once it is gone (its pid dead), the run is free again
        try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher(), false)) {
            assertThat(setup.resumed()).isTrue();
        }
    }

    @Test
    void aRefusedDirectoryGetsNoStrayLockFile() throws Exception {
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RunSetup.prepare(spec(), new LocalLauncher(), false)).isInstanceOf(BadInput.class)
                .hasMessageContaining("not empty");
        assertThat(files().lock()).doesNotExist();
        assertThat(Map.of("n", Files.list(out).count())).containsEntry("n", 1L);
    }

    /**
     * Issue 21 item 9: a journal whose supervisor ran on another host cannot be checked from here. Its
     * lock is free (a lock from a live one there would refuse this), so the run is taken, with a warning.
     */
    @Test
    void aRunLastHeldOnAnotherHostIsTakenWithAWarning() throws Exception {
        Files.writeString(files().runJson(), spec().toJson().toPrettyString());
        try (Journal journal = Journal.open(files().journal())) {
            journal.append(new JournalEvent.RunStart(Instant.now().toString(), 4242, "gpu-node-7", "another-boot", 1L,
                    spec().toJson()));
        }
        try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher(), false)) {
            assertThat(setup.resumed()).isTrue();
            assertThat(setup.warnings()).anySatisfy(w -> assertThat(w).contains("pid 4242 on gpu-node-7")
                    .contains("cannot be checked from here"));
        }
    }

    /** Issue 21 item 13: "another spec" cut the models list at 120 characters, before the model that differed. */
    @Test
    void anotherSpecIsShownWhereItDiffers() throws Exception {
        String earlier = specWithModels(40, "0.01",
                "/home/me/experiments/2025/march/cross-validation/long-name/train_v1.py");
        assertThat(RunSetup.differences(Json.MAPPER.readTree(earlier),
                Json.MAPPER.readTree(specWithModels(40, "0.02", "/home/me/experiments/2025/march/cross-validation/"
                        + "long-name/train_v1.py"))))
                .containsExactly("models[m39].params.lr: 0.01 in the run, 0.02 now");
        List<String> command = RunSetup.differences(Json.MAPPER.readTree(earlier), Json.MAPPER.readTree(
                specWithModels(40, "0.01", "/home/me/experiments/2025/march/cross-validation/long-name/train_v2.py")));
        assertThat(command).singleElement().asString().startsWith("command[1]: ").contains("train_v1.py")
                .contains("train_v2.py");
        assertThat(RunSetup.differences(Json.MAPPER.readTree(earlier), Json.MAPPER.readTree(
                specWithModels(41, "0.01", "/home/me/experiments/2025/march/cross-validation/long-name/train_v1.py"))))
                .containsExactly("models[m40]: unset in the run, {\"name\":\"m40\",\"params\":{\"lr\":0.01,"
                        + "\"layers\":[64,64]}} now");
        assertThat(RunSetup.differences(Json.MAPPER.readTree(earlier), Json.MAPPER.readTree(
                specWithModels(39, "0.01", "/home/me/experiments/2025/march/cross-validation/long-name/train_v1.py"))))
                .containsExactly("models[m39]: {\"name\":\"m39\",\"params\":{\"lr\":0.01,\"layers\":[64,64]}} in the"
                        + " run, unset now");
        assertThat(RunSetup.differences(Json.MAPPER.readTree("{\"command\":[\"a\",\"b\"]}"),
                Json.MAPPER.readTree("{\"command\":[\"a\",\"b\",\"--fast\"]}")))
                .containsExactly("command[2]: unset in the run, \"--fast\" now");
    }

    @Test
    void aLongValueIsShownAroundItsFirstDifference() {
        String a = "x".repeat(300) + "A" + "y".repeat(300);
        String b = "x".repeat(300) + "B" + "y".repeat(300);
        String[] shown = RunSetup.excerpts(a, b);
        assertThat(shown[0]).startsWith("...").endsWith("...").contains("xA").hasSizeLessThanOrEqualTo(120);
        assertThat(shown[1]).contains("xB");
        assertThat(RunSetup.excerpts("short", "other")).containsExactly("short", "other");
    }

    /** A run.json's identity with {@code n} models, the last one's lr as given. */
    private static String specWithModels(int n, String lastLr, String script) {
        StringBuilder models = new StringBuilder();
        for (int i = 0; i < n; i++) {
            models.append(i == 0 ? "" : ",").append("{\"name\":\"m").append(i).append("\",\"params\":{\"lr\":")
                    .append(i == n - 1 ? lastLr : "0.01").append(",\"layers\":[64,64]}}");
        }
        return "{\"folds\":5,\"replicates\":5,\"seed\":42,\"models\":[" + models + "],\"command\":[\"python3\",\""
                + script + "\"]}";
    }

    private static long waitForStartTicks(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var e = ProcessTable.read(pid);
            if (e.isPresent()) {
                return e.get().startTicks();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no /proc entry for " + pid);
    }
}
