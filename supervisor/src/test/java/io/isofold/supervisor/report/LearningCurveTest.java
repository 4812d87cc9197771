package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class LearningCurveTest {
    @TempDir
    Path dir;

    @Test
    void readsEndOfEpochLinesAndSkipsHeartbeatsAndGarbage() throws Exception {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("cnn"), List.of("gpu0/0"));
        AttemptView a = run.completed("cnn", 0, "gpu0/0", 0, 60, 0.9, 0.3);
        RunFixture.writeProgress(a, 0.6, 0.4, 0.3);
        // a half-written last line (the worker was killed mid-write) and some noise
        Files.writeString(a.attemptDir().resolve("progress.jsonl"),
                "not json\n{\"epoch\": 4, \"val_loss\": 0.25, \"seconds\": 40}\n\n{\"epoch\":5,\"val_lo",
                java.nio.file.StandardOpenOption.APPEND);

        LearningCurve curve = LearningCurve.read(a);

        assertThat(curve.points()).extracting(p -> p[0]).containsExactly(1.0, 2.0, 3.0, 4.0);
        assertThat(curve.points()).extracting(p -> p[1]).containsExactly(0.6, 0.4, 0.3, 0.25);
    }

    @Test
    void missingFileIsAnEmptyCurve() {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("cnn"), List.of("gpu0/0"));
        AttemptView a = run.running("cnn", 0, 1, "gpu0/0", 0);
        assertThat(LearningCurve.read(a).points()).isEmpty();
    }

    @Test
    void readsTheSampleFileOfTheBuiltInWorkerFormat() throws Exception {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("cnn"), List.of("gpu0/0"));
        AttemptView a = run.running("cnn", 0, 1, "gpu0/0", 0);
        try (var in = getClass().getResourceAsStream("/report/progress-sample.jsonl")) {
            Files.write(a.attemptDir().resolve("progress.jsonl"), in.readAllBytes());
        }
        // the sample has 3 epoch lines, a batch line with a val_loss-free body, and one invalid UTF-8 line
        assertThat(LearningCurve.read(a).points()).extracting(p -> p[1]).containsExactly(0.52, 0.41, 0.37);
    }
}
