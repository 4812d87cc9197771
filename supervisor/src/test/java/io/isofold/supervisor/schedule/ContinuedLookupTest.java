package io.isofold.supervisor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.outcome.ProgressFile;
import io.isofold.supervisor.progress.ProgressSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live line's word on an attempt given a checkpoint: "continuing", then the epoch its worker said. */
@Tag("unit")
class ContinuedLookupTest {
    private static final AttemptId ID = new AttemptId(3, "cnn", 3, 3, 0, 2);
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void continuingUntilTheWorkerSaysFromWhere() throws Exception {
        Path progress = dir.resolve("progress.jsonl");
        ContinuedLookup lookup = new ContinuedLookup();
        lookup.launched(ID, progress, true);
        long t = 1000 * SECOND;
        assertThat(lookup.label(ID, t)).isEqualTo(ProgressSnapshot.Running.CONTINUING);

        Files.writeString(progress, Json.MAPPER.writeValueAsString(ProgressEvent.continued(4, 120, 2.0, 300.0)) + "\n");
        assertThat(lookup.label(ID, t + SECOND)).as("not looked at again within 5 s")
                .isEqualTo(ProgressSnapshot.Running.CONTINUING);
        assertThat(lookup.label(ID, t + 5 * SECOND)).isEqualTo("e4.120");

        lookup.ended(ID);
        assertThat(lookup.label(ID, t + 10 * SECOND)).isNull();
    }

    @Test
    void aFreshStartSaysNothing() {
        ContinuedLookup lookup = new ContinuedLookup();
        lookup.launched(ID, dir.resolve("progress.jsonl"), false);
        assertThat(lookup.label(ID, 0)).isNull();
    }

    @Test
    void aWorkerThatStartedAfreshAnywayIsLookedAtNoMore() throws Exception {
        Path progress = dir.resolve("progress.jsonl");
        ContinuedLookup lookup = new ContinuedLookup();
        lookup.launched(ID, progress, true);
        StringBuilder epochs = new StringBuilder();
        while (epochs.length() <= ProgressFile.HEAD_BYTES) {
            epochs.append(Json.MAPPER.writeValueAsString(new ProgressEvent(1, 5, 100, 0.5, 0.8, null, null, 1.0)))
                    .append('\n');
        }
        Files.writeString(progress, epochs);
        assertThat(lookup.label(ID, 0)).isEqualTo(ProgressSnapshot.Running.CONTINUING);
        // settled: the file is not read again, whatever it holds later
        Files.writeString(progress, Json.MAPPER.writeValueAsString(ProgressEvent.continued(4, 0, 2.0, 300.0)) + "\n");
        assertThat(lookup.label(ID, 60 * SECOND)).isEqualTo(ProgressSnapshot.Running.CONTINUING);
    }
}
