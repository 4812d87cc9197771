package io.isofold.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.worker.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ProgressWriterTest {
    @TempDir
    Path tmp;

    @Test
    void theHandWrittenPhaseLineIsWhatJacksonWouldWrite() throws Exception {
        ProgressEvent e = ProgressEvent.phase(ProgressEvent.PHASE_FIRST_STEP, 0, 12.345);
        String line = ProgressWriter.phaseLine(e.phase(), e.epoch(), e.seconds());

        assertThat(line).isEqualTo(Json.MAPPER.writeValueAsString(e));
        assertThat(Json.MAPPER.readValue(line, ProgressEvent.class)).isEqualTo(e);
        assertThat(e.endOfEpoch()).isFalse();
    }

    @Test
    void aPhaseThatBlocksKeepsBeatingUntilClosed() throws Exception {
        Path file = tmp.resolve("progress.jsonl");
        try (ProgressWriter w = new ProgressWriter(file, 100)) {
            w.epoch(3);
            w.phase(ProgressEvent.PHASE_TRAINING);
            // a long evaluation: the loop writes nothing, the heartbeat thread does
            Await.until("three heartbeats after the phase line", () -> lineCount(file) >= 4);
        }
        List<ProgressEvent> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            lines.add(Json.MAPPER.readValue(l, ProgressEvent.class));
        }
        int written = lines.size();
        assertThat(written).isGreaterThanOrEqualTo(4);
        assertThat(lines).allMatch(e -> e.phase().equals(ProgressEvent.PHASE_TRAINING) && e.epoch() == 3);
        assertThat(lines).isSortedAccordingTo((a, b) -> Double.compare(a.seconds(), b.seconds()));

        // closed: nothing more comes, however long one looks; 300 ms is longer than the thread's checks
        Thread.sleep(300);
        assertThat(Files.readAllLines(file)).hasSize(written);
    }

    private static long lineCount(Path file) {
        try {
            return Files.readAllLines(file).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anEpochLineDelaysTheNextHeartbeat() throws Exception {
        Path file = tmp.resolve("progress.jsonl");
        try (ProgressWriter w = new ProgressWriter(file, 60_000)) {
            w.phase(ProgressEvent.PHASE_TRAINING);
            w.write(new ProgressEvent(1, null, null, 0.5, 0.8, 0.6, 0.7, 1.0));
            Thread.sleep(500); // a while in which nothing else must be written
        }
        assertThat(Files.readAllLines(file)).hasSize(2);
    }
}
