package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ResultsCsvTest {
    @TempDir
    Path dir;

    @Test
    void oneRowPerCompletedReplicateSortedByReplicate() throws Exception {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // decimal commas would break the file
        try {
            ResultsCsv.write(RunFixture.twoModels(dir).view());
        } finally {
            Locale.setDefault(before);
        }

        assertThat(Files.readString(dir.resolve("results.csv"))).isEqualTo("""
                replicate,model,fold,attempt,gpu,duration_s,auc,val_accuracy,val_loss
                0,cnn,0,1,0,100,,0.9,0.3
                1,cnn,1,2,1,110.5,,0.92,0.28
                2,cnn,2,1,0,110,,0.94,0.26
                1000,mlp,0,1,1,59.5,,0.88,0.35
                1001,mlp,1,3,1,40,,0.89,0.33
                1002,mlp,2,1,0,50.25,0.951,0.87,0.36
                """);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("the temporary file is renamed, not left behind").containsOnly("results.csv", "replicates");
        }
    }

    @Test
    void keepsEveryDigitAndQuotesAwkwardNames() {
        RunFixture run = new RunFixture(dir, 5, 1, List.of("cnn, wide \"v2\""), List.of("cpu/0"));
        run.add("cnn, wide \"v2\"", 0, 1, "cpu/0", 0, 1.2345, "completed", null,
                Map.of("val_accuracy", 0.91234567890123, "tiny", 1.5e-12, "big", 123456789012.5));

        String csv = ResultsCsv.render(run.view());

        assertThat(csv).isEqualTo("replicate,model,fold,attempt,gpu,duration_s,big,tiny,val_accuracy\n"
                + "0,\"cnn, wide \"\"v2\"\"\",0,1,cpu,1.235,123456789012.5,0.0000000000015,0.91234567890123\n");
    }

    @Test
    void headerOnlyBeforeAnythingCompleted() {
        RunFixture run = new RunFixture(dir, 5, 1, List.of("cnn"), List.of("cpu/0"));
        run.running("cnn", 0, 1, "cpu/0", 0);
        assertThat(ResultsCsv.render(run.view())).isEqualTo("replicate,model,fold,attempt,gpu,duration_s\n");
    }

    /** A worker may call a metric "gpu" or "fold": pandas and csv readers would silently keep one of two columns. */
    @Test
    void aMetricNamedLikeAFixedColumnIsPrefixedAndSaidSo() throws Exception {
        RunFixture run = new RunFixture(dir, 5, 1, List.of("cnn"), List.of("gpu3/0"));
        run.add("cnn", 0, 1, "gpu3/0", 0, 2, "completed", null,
                Map.of("gpu", 0.75, "fold", 9.0, "metric_fold", 1.0, "rmse", 0.5));

        String csv = ResultsCsv.render(run.view());

        String[] header = csv.lines().findFirst().orElseThrow().split(",");
        assertThat(header).containsExactly("replicate", "model", "fold", "attempt", "gpu", "duration_s",
                "metric_metric_fold", "metric_gpu", "metric_fold", "rmse");
        assertThat(header).doesNotHaveDuplicates();
        assertThat(csv.lines().skip(1).findFirst().orElseThrow()).isEqualTo("0,cnn,0,1,3,2,9.0,0.75,1.0,0.5");

        Summary s = Summary.of(run.view());
        assertThat(s.csvColumns()).containsExactly(Map.entry("fold", "metric_metric_fold"),
                Map.entry("gpu", "metric_gpu"));
        var root = io.isofold.shared.Json.MAPPER.readTree(SummaryJson.render(s));
        assertThat(root.at("/results_csv_columns/gpu").asText()).isEqualTo("metric_gpu");
        assertThat(root.get("notes").toString()).contains("the metric 'gpu' is the column 'metric_gpu' of results.csv");
        assertThat(root.at("/models/cnn/metrics/gpu/mean").asDouble()).as("summary.json keeps the name").isEqualTo(0.75);
        assertThat(SummaryTable.render(s)).contains("note: the metric 'gpu' is the column 'metric_gpu' of results.csv");
    }
}
