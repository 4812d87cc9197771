package io.isofold.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.report.AttemptView;
import io.isofold.supervisor.report.RunView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code status} says about running attempts, from their progress files. */
@Tag("unit")
class StatusTextTest {
    static final Instant T0 = Instant.parse("2025-03-01T20:00:00Z");

    @TempDir
    Path dir;

    private AttemptView running(int replicate, String... progressLines) throws Exception {
        Path attemptDir = Files.createDirectories(dir.resolve("replicates/" + replicate + "/attempt-1"));
        Files.writeString(attemptDir.resolve("progress.jsonl"), String.join("\n", progressLines) + "\n");
        return new AttemptView(replicate, "cnn", replicate, replicate, 0, 1, "gpu" + replicate + "/0",
                String.valueOf(replicate), T0, null, null, null, null, Map.of(), dir, null);
    }

    private static String line(ProgressEvent e) throws Exception {
        return Json.MAPPER.writeValueAsString(e);
    }

    @Test
    void aWorkerStartingUpShowsItsPhaseNotEpochZero() throws Exception {
        AttemptView loading = running(0, line(ProgressEvent.phase(ProgressEvent.PHASE_STARTING, 0, 0.5)),
                line(ProgressEvent.phase(ProgressEvent.PHASE_LOADING_DATA, 0, 3.0)));
        AttemptView training = running(1, line(ProgressEvent.phase(ProgressEvent.PHASE_TRAINING, 0, 9.0)),
                line(new ProgressEvent(3, null, null, 0.41, 0.8, 0.45, 0.79, 30.0)));
        AttemptView compiling = running(2, line(new ProgressEvent(2, null, null, 0.5, 0.8, 0.55, 0.79, 20.0)),
                line(ProgressEvent.phase(ProgressEvent.PHASE_SAVING, 2, 21.0)));
        RunView view = new RunView(dir, 3, 3, List.of("cnn"), List.of("gpu0/0", "gpu1/0", "gpu2/0"), T0, null,
                List.of(loading, training, compiling), Map.of());

        ObjectNode s = StatusCommand.status(view, 4242L, 0, T0.plusSeconds(65));
        String text = StatusCommand.text(s);

        assertThat(s.at("/running/0/phase").asText()).isEqualTo("loading data");
        assertThat(s.at("/running/0").has("epoch")).isFalse();
        assertThat(text).contains("replicate 0 (cnn, fold 0) attempt 1, 1m05s, loading data\n")
                .contains("replicate 1 (cnn, fold 1) attempt 1, 1m05s, epoch 3, loss 0.4100, val_loss 0.4500\n")
                .contains("replicate 2 (cnn, fold 2) attempt 1, 1m05s, saving\n")
                .doesNotContain("epoch 0");
    }

    @Test
    void leftRunningIsCountedInWords() throws Exception {
        RunView view = new RunView(dir, 3, 3, List.of("cnn"), List.of("gpu0/0"), T0, null,
                List.of(running(0, line(new ProgressEvent(1, null, null, 0.5, 0.8, 0.55, 0.79, 20.0)))), Map.of());
        assertThat(StatusCommand.text(StatusCommand.status(view, null, 1, T0.plusSeconds(5))))
                .contains("supervisor not running; 1 attempt was running when it stopped");
        assertThat(StatusCommand.text(StatusCommand.status(view, null, 3, T0.plusSeconds(5))))
                .contains("supervisor not running; 3 attempts were running when it stopped");
    }

    @Test
    void failuresAreSaidInTheConsolesWords() throws Exception {
        AttemptView timedOut = new AttemptView(2, "cnn", 2, 2, 0, 1, "gpu0/0", "0", T0, T0.plusSeconds(30),
                io.isofold.supervisor.journal.Verdict.TIMEOUT, "still running after 30s (--timeout)", null, Map.of(),
                dir, "Traceback (most recent call last):\nKeyboardInterrupt");
        RunView view = new RunView(dir, 3, 3, List.of("cnn"), List.of("gpu0/0"), T0, T0.plusSeconds(31),
                List.of(timedOut), Map.of());

        String text = StatusCommand.text(StatusCommand.status(view, null, 0, T0.plusSeconds(40)));

        assertThat(text).contains("  replicate 2 attempt 1 on gpu0/0 timed out: still running after 30s (--timeout)\n"
                + "    stderr: KeyboardInterrupt\n");
    }

    /** Issue 19 item 4: status shows where a running or ended attempt continued from, and the training saved. */
    @Test
    void saysWhereAttemptsContinuedFromAndTheTrainingSaved() throws Exception {
        AttemptView running = running(0, line(ProgressEvent.phase(ProgressEvent.PHASE_STARTING, 0, 0.5)),
                line(ProgressEvent.continued(4, 120, 2.0, 300.0)));
        AttemptView failed = new AttemptView(1, "cnn", 1, 1, 0, 2, "gpu1/0", "1", T0, T0.plusSeconds(30),
                io.isofold.supervisor.journal.Verdict.FAILED, "exit 1", 1, Map.of(), dir, null, null,
                new io.isofold.supervisor.journal.ContinuedFrom(2, 0, 125.0));
        RunView view = new RunView(dir, 3, 3, List.of("cnn"), List.of("gpu0/0", "gpu1/0"), T0, null,
                List.of(running, failed), Map.of());

        ObjectNode s = StatusCommand.status(view, 4242L, 0, T0.plusSeconds(65));
        String text = StatusCommand.text(s);

        assertThat(s.at("/running/0/continued_from/epoch").asInt()).isEqualTo(4);
        assertThat(s.at("/running/0/continued_from/batch").asInt()).isEqualTo(120);
        assertThat(s.at("/last_failures/0/continued_from/epoch").asInt()).isEqualTo(2);
        assertThat(s.get("training_seconds_saved").asLong()).as("of ended attempts").isEqualTo(125);
        assertThat(text).contains("replicate 0 (cnn, fold 0) attempt 1, 1m05s, continued from epoch 4, batch 120\n")
                .contains("1 attempt continued from checkpoints, 2m05s of training not done again\n")
                .contains("    continued from epoch 2\n")
                .doesNotContain(", continued\n");
    }

    /** Issue 18 item 7: the models best first, the best marked. */
    @Test
    void theModelsAreRankedAndTheBestMarked() throws Exception {
        List<AttemptView> done = new java.util.ArrayList<>();
        String[] models = {"lr-0.1", "lr-0.01", "lr-1"};
        double[] accuracy = {0.85, 0.91, 0.60};
        for (int m = 0; m < 3; m++) {
            for (int i = 0; i < 2; i++) {
                done.add(new AttemptView(m * 10 + i, models[m], i, i, 0, 1, "gpu0/0", "0", T0, T0.plusSeconds(10),
                        io.isofold.supervisor.journal.Verdict.COMPLETED, null, 0,
                        Map.of("val_accuracy", accuracy[m] + i * 0.01), dir, null));
            }
        }
        RunView view = new RunView(dir, 2, 2, List.of(models), List.of("gpu0/0"), T0, T0.plusSeconds(60), done,
                Map.of());

        ObjectNode s = StatusCommand.status(view, null, 0, T0.plusSeconds(70));
        String text = StatusCommand.text(s);

        assertThat(s.get("best").asText()).isEqualTo("lr-0.01");
        assertThat(s.get("metrics").fieldNames()).toIterable().containsExactly("lr-0.01", "lr-0.1", "lr-1");
        assertThat(text).contains("  lr-0.01: val_accuracy 0.9150 \u00b1 0.0071 std (n=2) [best on val_accuracy]\n");
        assertThat(text.indexOf("  lr-0.01:")).isLessThan(text.indexOf("  lr-0.1:"));
        assertThat(text.indexOf("  lr-0.1:")).isLessThan(text.indexOf("  lr-1:"));
    }
}
