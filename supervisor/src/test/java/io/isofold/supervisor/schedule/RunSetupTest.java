package io.isofold.supervisor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a resume makes of attempts a dead supervisor left without an end, judged from the files it
 * left: the journal and each attempt's exit_status.
 */
class RunSetupTest {
    @TempDir
    Path out;

    private RunSpec spec() {
        return new RunSpec(out, 2, 2, "none", 1, 1, Duration.ofSeconds(1), null, null, Duration.ofMillis(200), 3, 4,
                42, List.of("/bin/true"), List.of(ModelConfig.defaults("cnn")), null, false, List.of());
    }

    /** A journal that ends with the given attempts launched (pid 0: nothing to kill) and no end. */
    private void deadSupervisorLeft(List<AttemptId> launched, List<JournalEvent> more) throws Exception {
        Files.writeString(out.resolve(RunSetup.RUN_JSON), spec().toJson().toPrettyString());
        try (Journal journal = Journal.open(out.resolve(RunSetup.JOURNAL))) {
            journal.append(JournalEvent.runStart(Instant.now().toString(), 1, "host", spec().toJson()));
            for (AttemptId id : launched) {
                Path dir = Files.createDirectories(out.resolve("replicates/" + id.replicate() + "/attempt-" + id.attempt()));
                journal.append(JournalEvent.launch(Instant.now().toString(), id, "cpu/0", "cpu", 0, 0, 0, dir.toString()));
            }
            for (JournalEvent e : more) {
                journal.append(e);
            }
        }
    }

    private static AttemptId attempt(int replicate) {
        return new AttemptId(replicate, "cnn", replicate, replicate, 0, 1);
    }

    private Verdict verdictAfterResume(int replicate) throws Exception {
        try (RunSetup setup = RunSetup.prepare(spec())) {
            AttemptRecord a = setup.history().attempts().stream()
                    .filter(r -> r.id().replicate() == replicate).findFirst().orElseThrow();
            assertThat(setup.resumed()).isTrue();
            return a.verdict();
        }
    }

    @Test
    void anAttemptWithoutExitStatusWasLost() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
    }

    @Test
    void anAttemptThatExitedZeroWithAResultCompleted() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        Path dir = out.resolve("replicates/0/attempt-1");
        Files.writeString(dir.resolve("exit_status"), "0\n");
        Files.writeString(dir.resolve("result.json"), "{\"metrics\":{\"val_accuracy\":0.9}}");
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.COMPLETED);
    }

    @Test
    void anAttemptTheDeadSupervisorWasKillingKeepsTheKillsReason() throws Exception {
        AttemptId id = attempt(1);
        deadSupervisorLeft(List.of(id), List.of(JournalEvent.kill(Instant.now().toString(), id,
                Verdict.TIMEOUT.label(), "timeout: still running after 1s")));
        Files.writeString(out.resolve("replicates/1/attempt-1/exit_status"), "143\n");
        assertThat(verdictAfterResume(1)).isEqualTo(Verdict.TIMEOUT);
        assertThat(Files.readString(out.resolve(RunSetup.JOURNAL))).contains("\"verdict\":\"timeout\"");
    }

    @Test
    void aTornExitStatusCountsAsLostRatherThanAsAnExit() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        Files.writeString(out.resolve("replicates/0/attempt-1/exit_status"), "");
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
        assertThat(Json.MAPPER.readTree(out.resolve(RunSetup.RUN_JSON).toFile()).get("folds").asInt()).isEqualTo(2);
    }

    @Test
    void theEndsAreJournalledSoASecondResumeSeesTheSame() throws Exception {
        deadSupervisorLeft(List.of(attempt(0)), List.of());
        verdictAfterResume(0);
        long ends = Files.readAllLines(out.resolve(RunSetup.JOURNAL)).stream().filter(l -> l.contains("\"type\":\"end\"")).count();
        assertThat(verdictAfterResume(0)).isEqualTo(Verdict.SUPERVISOR_LOST);
        assertThat(Files.readAllLines(out.resolve(RunSetup.JOURNAL)).stream()
                .filter(l -> l.contains("\"type\":\"end\"")).count()).isEqualTo(ends);
    }
}
