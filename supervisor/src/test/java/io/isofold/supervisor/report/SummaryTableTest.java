package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class SummaryTableTest {
    @TempDir
    Path dir;

    @Test
    void printsCountsModelsAndComparisons() {
        String table = RunReport.summaryTable(RunFixture.twoModels(dir).view());

        assertThat(table).isEqualTo("""
                6/6 replicates completed, 9 attempts (2 failed), complete
                #     model  n    val_accuracy ↑?  val_loss ↓?    auc ↑?
                best  cnn    3/3  0.920 ± 0.020    0.280 ± 0.020  -
                2     mlp    3/3  0.880 ± 0.010    0.347 ± 0.015  0.951
                (sorted by val_accuracy, best first; mean ± std over replicates; ↑/↓ higher/lower is better, ? = guessed: set with --metric NAME:min|max)
                vs the best, cnn (paired by fold, corrected resampled t-test; 1 comparison: no correction for multiple comparisons needed):
                mlp vs cnn: val_accuracy -0.040 [-0.144, 0.064], p=0.240, n=3 -> cnn ahead, within noise (guessed: higher is better)
                """);
    }

    @Test
    void lowerLossMeansTheOtherModelIsAhead() {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("a", "b"), List.of("cpu/0"));
        double[] lossA = {0.50, 0.52, 0.49, 0.51, 0.50};
        double[] lossB = {0.30, 0.33, 0.31, 0.29, 0.30};
        for (int i = 0; i < 5; i++) {
            run.completed("a", i, "cpu/0", i, i + 1, 0.8, lossA[i]);
            run.completed("b", i, "cpu/0", i, i + 1, 0.8, lossB[i]);
        }
        run.goals = MetricGoals.parse(List.of("val_loss", "val_accuracy"));
        String table = RunReport.summaryTable(run.view());

        // a's loss is higher: b is the best, and a positive difference in a loss puts b ahead
        assertThat(table).containsPattern("(?m)^best +b ").containsPattern("(?m)^2 +a ");
        assertThat(table).contains("a vs b: val_loss +0.198 [0.170, 0.226], p<0.001, n=5 -> b ahead, more than noise"
                + " (guessed: lower is better)");
        assertThat(table).contains("a vs b: val_accuracy +0.000 [0.000, 0.000], p=1.000, n=5 -> no difference");
    }
}
