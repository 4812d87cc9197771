package io.isofold.supervisor.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class JournalReaderTest {
    @TempDir
    Path dir;

    private static final AttemptId ID = new AttemptId(0, "cnn", 0, 0, 0, 1);

    /** Item 6: a last line cut inside "é" made status, report and resume fail with "Input length = 1". */
    @Test
    void aLastLineTornInsideAMultiByteCharacterIsSkippedWithAWarning() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (Journal j = Journal.open(file)) {
            j.append(JournalEvent.Launch.of(Instant.now().toString(), ID, "cpu/0", "cpu", LaunchIdentity.none(), "/d"));
        }
        byte[] end = ("{\"type\":\"end\",\"replicate\":0,\"reason\":\"caf\u00e9").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream torn = new ByteArrayOutputStream();
        torn.write(Files.readAllBytes(file));
        torn.write(end, 0, end.length - 1); // the second byte of é is missing
        Files.write(file, torn.toByteArray());

        RunHistory.Read read = RunHistory.read(file);
        assertThat(read.history().attempts()).hasSize(1);
        assertThat(read.warnings()).singleElement().asString().contains("line 2").contains("torn");
    }

    @Test
    void aGarbledMiddleLineCostsOnlyThatLine() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        String launch = "{\"type\":\"launch\",\"time\":\"2026-01-01T00:00:00Z\",\"replicate\":0,\"model\":\"cnn\","
                + "\"index\":0,\"fold\":0,\"shuffle\":0,\"attempt\":1}";
        Files.write(file, (launch + "\n\u00ff\u00fe{garbage\n" + launch.replace("\"attempt\":1", "\"attempt\":2") + "\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        List<JournalEvent> events = new ArrayList<>();
        List<String> warnings = JournalReader.read(file, events::add);
        assertThat(events).hasSize(2);
        assertThat(warnings).singleElement().asString().contains("line 2").doesNotContain("torn");
    }

    @Test
    void anUnknownEventTypeIsIgnored() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Files.writeString(file, "{\"type\":\"from-the-future\",\"time\":\"2026-01-01T00:00:00Z\",\"x\":1}\n");
        RunHistory.Read read = RunHistory.read(file);
        assertThat(read.warnings()).isEmpty();
        assertThat(read.history().attempts()).isEmpty();
    }

    @Test
    void eventsRoundTripWithTheirTypesAndVerdictLabels() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Outcome o = new Outcome(Instant.now(), Verdict.SUPERVISOR_LOST, "gone", null, Map.of(), 1.5, "Traceback\nboom");
        try (Journal j = Journal.open(file)) {
            j.append(JournalEvent.Launch.of(Instant.now().toString(), ID, "gpu1/0", "1",
                    LaunchIdentity.process(10, 10, 99, "b"), "/d"));
            j.append(JournalEvent.End.of(Instant.now().toString(), ID, o));
            j.append(new JournalEvent.Quarantine(Instant.now().toString(), "1", "3 failures"));
        }
        assertThat(Files.readString(file)).contains("\"type\":\"launch\"").contains("\"verdict\":\"supervisor-lost\"")
                .contains("\"stderr_tail\":\"Traceback\\nboom\"").contains("\"type\":\"quarantine\"");
        RunHistory h = RunHistory.read(file).history();
        AttemptRecord a = h.attempts().iterator().next();
        assertThat(a.verdict()).isEqualTo(Verdict.SUPERVISOR_LOST);
        assertThat(a.outcome().stderrTail()).isEqualTo("Traceback\nboom");
        assertThat(h.quarantined()).containsEntry("1", "3 failures");
    }

    /** sbatch answers after the launch line: the job id comes in a line of its own and names the job from then on. */
    @Test
    void aJobIdJournalledAfterTheLaunchNamesTheAttemptsJob() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (Journal j = Journal.open(file)) {
            j.append(JournalEvent.Launch.of(Instant.now().toString(), ID, "slurm/0", "cpu", LaunchIdentity.job(null, null),
                    "/d"));
            j.append(JournalEvent.Submitted.of(Instant.now().toString(), ID, "4711"));
            j.append(JournalEvent.Began.of(Instant.now().toString(), ID, "node3"));
        }
        assertThat(Files.readString(file)).contains("\"type\":\"submitted\"").contains("\"job_id\":\"4711\"");
        AttemptRecord a = RunHistory.read(file).history().unfinished().get(0);
        assertThat(a.launch().jobId()).isEqualTo("4711");
        assertThat(a.launch().node()).isEqualTo("node3");
    }
}
