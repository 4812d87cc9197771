package io.isofold.supervisor.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.watch.ProcessTable;
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
                new RunSpec.Experiment(2, 2, 42, List.of(ModelConfig.defaults("cnn")), List.of("/bin/true"), null),
                new RunSpec.Placement("none", 1, 1),
                new RunSpec.Limits(Duration.ofSeconds(1), null, null, Duration.ofMillis(200), 3, 4),
                new RunSpec.Options(false, List.of(), false, List.of(), false));
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
        try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher())) {
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
            try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher())) {
                assertThat(setup.history().unfinished()).isEmpty();
            }
            assertThat(stranger.isAlive()).as("the stranger must survive the resume").isTrue();
        } finally {
            stranger.destroyForcibly().waitFor();
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
            assertThatThrownBy(() -> RunSetup.prepare(spec(), new LocalLauncher()))
                    .isInstanceOf(BadInput.class)
                    .hasMessageContaining("another supervisor (pid " + holder.pid() + ")");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        // once it is gone (its pid dead), the run is free again
        try (RunSetup setup = RunSetup.prepare(spec(), new LocalLauncher())) {
            assertThat(setup.resumed()).isTrue();
        }
    }

    @Test
    void aRefusedDirectoryGetsNoStrayLockFile() throws Exception {
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RunSetup.prepare(spec(), new LocalLauncher())).isInstanceOf(BadInput.class)
                .hasMessageContaining("not empty");
        assertThat(files().lock()).doesNotExist();
        assertThat(Map.of("n", Files.list(out).count())).containsEntry("n", 1L);
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
