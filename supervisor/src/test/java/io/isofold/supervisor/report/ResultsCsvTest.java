package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
