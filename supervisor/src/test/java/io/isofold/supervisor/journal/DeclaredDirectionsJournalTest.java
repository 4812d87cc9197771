package io.isofold.supervisor.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directions a worker's results declared reach the journal, so that {@code report DIR} and {@code status DIR}
 * see them; each metric's once, from the first attempt that declared it, so the journal stays small.
 */
@Tag("unit")
class DeclaredDirectionsJournalTest {
    @TempDir
    Path dir;

    private static AttemptId id(int replicate) {
        return new AttemptId(replicate, "cnn", replicate, replicate, 0, 1);
    }

    private static Outcome completed(Map<String, String> directions) {
        return new Outcome(Instant.parse("2025-03-01T20:00:10Z"), Verdict.COMPLETED, null, 0,
                Map.of("val_loss", 0.3, "val_accuracy", 0.9), 10.0, null, null, directions);
    }

    @Test
    void eachMetricsFirstDeclarationIsJournaledOnceAndReadBack() throws Exception {
        RunHistory live = RunHistory.empty();
        Path file = dir.resolve("journal.jsonl");
        try (Journal j = Journal.open(file)) {
            for (int r = 0; r < 3; r++) {
                Map<String, String> declared = r == 2 ? Map.of("val_loss", "min", "val_accuracy", "max", "f1", "max")
                        : Map.of("val_loss", "min", "val_accuracy", "max");
                // as RunRecord does: the line holds what no earlier attempt declared
                Outcome o = completed(declared);
                Outcome kept = o.withDirections(live.undeclared(o.directions()));
                JournalEvent.Launch launch = JournalEvent.Launch.of("2025-03-01T20:00:00Z", id(r), "cpu/0", "cpu",
                        LaunchIdentity.none(), "/d");
                j.append(launch);
                live.apply(launch);
                live.record(new AttemptRecord(id(r), "cpu/0", "cpu", null, Instant.parse("2025-03-01T20:00:00Z"),
                        kept));
                j.append(JournalEvent.End.of(kept.ended().toString(), id(r), kept));
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(1)).contains("\"directions\":{").contains("\"val_loss\":\"min\"")
                .contains("\"val_accuracy\":\"max\"");
        assertThat(lines.get(3)).as("declared before: not again").doesNotContain("directions");
        assertThat(lines.get(5)).contains("\"directions\":{\"f1\":\"max\"}");

        RunHistory read = RunHistory.read(file).history();
        assertThat(read.declaredDirections()).containsExactlyInAnyOrderEntriesOf(
                Map.of("val_loss", "min", "val_accuracy", "max", "f1", "max"));
        assertThat(live.declaredDirections()).isEqualTo(read.declaredDirections());
    }

    @Test
    void theFirstWordStands() {
        RunHistory h = RunHistory.empty();
        h.apply(new JournalEvent.End("2025-03-01T20:00:00Z", 0, "cnn", 0, 0, 0, 1, 0, Verdict.COMPLETED, null,
                Map.of("score", 1.0), 1.0, null, null, Map.of("score", "min")));
        h.apply(new JournalEvent.End("2025-03-01T20:00:01Z", 1, "cnn", 1, 1, 0, 1, 0, Verdict.COMPLETED, null,
                Map.of("score", 1.0), 1.0, null, null, Map.of("score", "max")));
        assertThat(h.declaredDirections()).containsExactly(Map.entry("score", "min"));
        assertThat(h.undeclared(Map.of("score", "max", "loss", "min"))).containsExactly(Map.entry("loss", "min"));
    }

    @Test
    void aJournalWrittenBeforeDirectionsReadsAsNone() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Files.writeString(file, "{\"type\":\"launch\",\"time\":\"2025-03-01T20:00:00Z\",\"replicate\":0,\"model\":\"cnn\","
                + "\"index\":0,\"fold\":0,\"shuffle\":0,\"attempt\":1,\"slot\":\"cpu/0\",\"gpu\":\"cpu\"}\n"
                + "{\"type\":\"end\",\"time\":\"2025-03-01T20:00:05Z\",\"replicate\":0,\"model\":\"cnn\",\"index\":0,"
                + "\"fold\":0,\"shuffle\":0,\"attempt\":1,\"exit_code\":0,\"verdict\":\"completed\","
                + "\"metrics\":{\"val_loss\":0.3}}\n");
        RunHistory.Read read = RunHistory.read(file);
        assertThat(read.warnings()).isEmpty();
        assertThat(read.history().declaredDirections()).isEmpty();
        assertThat(read.history().attempts()).singleElement().satisfies(a -> assertThat(a.completed()).isTrue());
    }
}
