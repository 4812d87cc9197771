package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.ContinuedFrom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 4: an attempt that continued from an earlier attempt's checkpoint is visible: its bar on the
 * timeline starts with a marker and says from which epoch; summary.json counts the training time it saved.
 */
@Tag("unit")
class ContinuedReportTest {
    @TempDir
    Path dir;

    private RunFixture run() {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("cnn"), List.of("gpu0/0", "gpu1/0"));
        run.add("cnn", 0, 1, "gpu0/0", 0, 600, "failed", "exit 1", null);
        AttemptView second = run.add("cnn", 0, 2, "gpu0/0", 600, 1800, "completed", null,
                Map.of("val_accuracy", 0.9, "val_loss", 0.3));
        run.attempts.set(run.attempts.indexOf(second), second.continued(new ContinuedFrom(4, 120, 725.0)));
        run.completed("cnn", 1, "gpu1/0", 0, 1500, 0.91, 0.29);
        run.ended = RunFixture.at(1800);
        return run;
    }

    @Test
    void theTimelineBarStartsWithAMarkerFromItsEpoch() {
        RunView view = run().view();
        String html = ReportPage.render(view, Summary.of(view), RunFixture.at(1800));

        String timeline = ReportPageTest.between(html, "<svg id=\"timeline\"", "</svg>");
        assertThat(ReportPageTest.count(timeline, "<path class=\"continued\"")).isEqualTo(1);
        assertThat(timeline).contains(">r0·2 from epoch 4</text>")
                .contains("continued from epoch 4, batch 120 (a checkpoint of an earlier attempt: 12m05s of training"
                        + " not done again)");
        assertThat(html).contains("continued from a checkpoint (\"from epoch N\")")
                .contains("1 attempt continued from checkpoints, 12m05s of training not done again.");
    }

    @Test
    void summaryJsonAndTheTableCountTheTrainingSaved() throws Exception {
        Summary s = Summary.of(run().view());
        JsonNode root = Json.MAPPER.readTree(SummaryJson.render(s));
        assertThat(root.get("continued_attempts").asInt()).isEqualTo(1);
        assertThat(root.get("training_seconds_saved").asDouble()).isEqualTo(725.0);
        assertThat(SummaryTable.render(s).lines().toList().get(1))
                .isEqualTo("1 attempt continued from checkpoints, 12m05s of training not done again");
    }

    @Test
    void withoutContinuingNothingIsSaid() throws Exception {
        RunView view = RunFixture.twoModels(dir).view();
        Summary s = Summary.of(view);
        assertThat(Json.MAPPER.readTree(SummaryJson.render(s)).get("training_seconds_saved").asDouble()).isZero();
        assertThat(SummaryTable.render(s)).doesNotContain("continued");
        assertThat(ReportPage.render(view, s, RunFixture.at(400))).doesNotContain("class=\"continued\"")
                .doesNotContain("from epoch");
    }

    @Test
    void aRunningAttemptIsMarkedFromItsProgressFile() throws Exception {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("cnn"), List.of("gpu0/0"));
        AttemptView running = run.running("cnn", 0, 2, "gpu0/0", 0);
        Files.writeString(running.attemptDir().resolve("progress.jsonl"),
                Json.MAPPER.writeValueAsString(ProgressEvent.phase(ProgressEvent.PHASE_STARTING, 0, 0.5)) + "\n"
                        + Json.MAPPER.writeValueAsString(ProgressEvent.continued(6, 0, 2.0, 300.0)) + "\n",
                StandardOpenOption.CREATE);
        RunFixture.writeProgressAppend(running, 7, 0.4);
        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(3600));

        String timeline = ReportPageTest.between(html, "<svg id=\"timeline\"", "</svg>");
        assertThat(timeline).contains("<path class=\"continued\"").contains(" from epoch 6</text>");
    }

    @Test
    void theLearningCurveReadsTheContinuedLineAndEveryFigure() throws Exception {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("cnn"), List.of("gpu0/0"));
        AttemptView a = run.running("cnn", 0, 2, "gpu0/0", 0);
        Files.writeString(a.attemptDir().resolve("progress.jsonl"), String.join("\n",
                "{\"phase\":\"continued\",\"epoch\":4,\"batch\":120,\"seconds\":3.0,\"restored_seconds\":725.5}",
                "{\"epoch\":5,\"batch\":10,\"batches\":100,\"loss\":0.9}",
                "{\"epoch\":5,\"loss\":0.5,\"val_loss\":0.45,\"val_rmse\":1.25,\"lr\":0.001,\"seconds\":50}",
                "{\"epoch\":6,\"loss\":0.4,\"val_loss\":0.40,\"val_rmse\":1.5,\"seconds\":60,\"note\":\"text\"}") + "\n");

        LearningCurve c = LearningCurve.read(a);
        assertThat(c.continuedFrom()).isEqualTo(new ContinuedFrom(4, 120, 725.5));
        assertThat(c.series().keySet()).containsExactly("loss", "val_loss", "val_rmse", "lr");
        assertThat(c.points("val_rmse")).extracting(p -> p[1]).containsExactly(1.25, 1.5);
        assertThat(c.points("lr")).extracting(p -> p[0]).containsExactly(5.0);
        assertThat(c.points()).extracting(p -> p[1]).containsExactly(0.45, 0.40);
    }

    @Test
    void theCurvesOfAnyMetricAreDrawnAndAMenuPicksOne() throws Exception {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("reg"), List.of("gpu0/0"));
        AttemptView a = run.add("reg", 0, 1, "gpu0/0", 0, 60, "completed", null, Map.of("val_rmse", 1.5));
        Files.writeString(a.attemptDir().resolve("progress.jsonl"),
                "{\"epoch\":1,\"val_rmse\":2.0}\n{\"epoch\":2,\"val_rmse\":1.5}\n");
        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(100));
        assertThat(html).contains("<div class=\"curve-metric\" data-metric=\"val_rmse\"><h3>val_rmse per epoch</h3>")
                .contains("replicate 0, fold 0, attempt 1: val_rmse 1.5 at epoch 2")
                .doesNotContain("No epoch with a val_loss").doesNotContain("id=\"curve-metric\"");

        RunFixture.writeProgress(run.completed("reg", 1, "gpu0/0", 60, 120, 0.9, 0.3), 0.5, 0.4);
        String more = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(200));
        assertThat(more).contains("<select id=\"curve-metric\">")
                .contains("data-metric=\"val_rmse\"").contains("data-metric=\"val_loss\"");
        assertThat(ReportPageTest.count(more, "class=\"curve-metric\"")).isLessThanOrEqualTo(CurvesChart.MAX_METRICS);
    }
}
