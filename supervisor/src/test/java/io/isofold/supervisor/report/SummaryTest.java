package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class SummaryTest {
    @TempDir
    Path dir;

    /** Exactly the same metrics on each of two or more shared folds: a --param the worker never read. */
    @Test
    void variantsWithTheSameResultsOnEveryFoldTheyShareAreGrouped() {
        List<AttemptView> completed = List.of(done("a", 0, 0.81, 0.5), done("a", 1, 0.82, 0.4), done("a", 2, 0.83, 0.3),
                done("b", 0, 0.81, 0.5), done("b", 1, 0.82, 0.4), done("b", 2, 0.83, 0.3),
                done("c", 0, 0.81, 0.5), done("c", 1, 0.82, 0.4), done("c", 2, 0.83, 0.31),
                done("d", 0, 0.81, 0.5), // one shared fold proves nothing
                done("e", 1, 0.82, 0.4), done("e", 2, 0.83, 0.3)); // a race cut it after two: still the same

        assertThat(Summary.identicalVariants(List.of("a", "b", "c", "d", "e"), completed))
                .containsExactly(List.of("a", "b", "e"));
        assertThat(Summary.identicalVariants(List.of("c", "d"), completed)).isEmpty();
    }

    private AttemptView done(String model, int index, double acc, double loss) {
        return new AttemptView(index, model, index, index, 0, 1, "cpu0", null, java.time.Instant.EPOCH,
                java.time.Instant.EPOCH, io.isofold.supervisor.journal.Verdict.COMPLETED, null, 0,
                Map.of("acc", acc, "loss", loss), dir, null, null);
    }

    @Test
    void countsAttemptsAsDocumented() {
        Summary s = Summary.of(RunFixture.twoModels(dir).view());

        assertThat(s.requested()).isEqualTo(6);
        assertThat(s.completed()).isEqualTo(6);
        assertThat(s.attempts()).isEqualTo(9);
        // failed + timeout; the interrupted attempt is not the worker's failure
        assertThat(s.failedAttempts()).isEqualTo(2);
        assertThat(s.runningAttempts()).isZero();
        assertThat(s.attemptsByVerdict()).containsExactly(Map.entry("completed", 6), Map.entry("failed", 1),
                Map.entry("timeout", 1), Map.entry("interrupted", 1));
        assertThat(s.models().get("cnn").attempts()).isEqualTo(4);
        assertThat(s.models().get("cnn").failedAttempts()).isEqualTo(1);
        assertThat(s.models().get("mlp").attempts()).isEqualTo(5);
        assertThat(s.models().get("mlp").failedAttempts()).isEqualTo(1);
        assertThat(s.metricNames()).containsExactly("val_accuracy", "val_loss", "auc");
        assertThat(s.metrics()).as("whole-run metrics only for a single model").isNull();
    }

    /**
     * cnn val_accuracy 0.90, 0.92, 0.94: mean 0.92, squares 4e-4 + 0 + 4e-4, variance 4e-4, std 0.02;
     * 95% CI 0.92 +- t(0.975, 2) * 0.02 / sqrt(3) = 0.92 +- 4.302653 * 0.011547 = 0.92 +- 0.049683.
     */
    @Test
    void perModelStatisticsByHand() {
        Summary s = Summary.of(RunFixture.twoModels(dir).view());

        MetricStats acc = s.models().get("cnn").metrics().get("val_accuracy");
        assertThat(acc.n()).isEqualTo(3);
        assertThat(acc.mean()).isCloseTo(0.92, within(1e-12));
        assertThat(acc.std()).isCloseTo(0.02, within(1e-12));
        assertThat(acc.min()).isEqualTo(0.90);
        assertThat(acc.max()).isEqualTo(0.94);
        assertThat(acc.ci95Low()).isCloseTo(0.92 - 0.049683, within(1e-6));
        assertThat(acc.ci95High()).isCloseTo(0.92 + 0.049683, within(1e-6));

        MetricStats auc = s.models().get("mlp").metrics().get("auc");
        assertThat(auc.n()).isEqualTo(1);
        assertThat(auc.mean()).isEqualTo(0.951);
        assertThat(auc.std()).isNull();
        assertThat(auc.ci95Low()).isNull();
        assertThat(s.models().get("cnn").metrics()).doesNotContainKey("auc");
    }

    /**
     * cnn - mlp on val_accuracy, paired by index: 0.02, 0.03, 0.07; mean 0.04; squares 4e-4 + 1e-4 + 9e-4,
     * variance 7e-4; 3 folds so n_test/n_train = 1/2; corrected var (1/3 + 1/2) * 7e-4 = 5.8333e-4;
     * t = 0.04 / 0.0241523 = 1.656157 with 2 df; for 2 df P(|T| > t) = 1 - t / sqrt(2 + t^2) = 0.239530.
     */
    @Test
    void comparesPairedReplicatesWithTheCorrectedTest() {
        Summary s = Summary.of(RunFixture.twoModels(dir).view());

        assertThat(s.comparisons()).hasSize(1);
        ModelComparison c = s.comparisons().get(0);
        assertThat(c.modelA()).isEqualTo("cnn");
        assertThat(c.modelB()).isEqualTo("mlp");
        assertThat(c.metrics()).containsOnlyKeys("val_accuracy", "val_loss");
        PairedComparison acc = c.metrics().get("val_accuracy");
        double t = 0.04 / Math.sqrt((1.0 / 3 + 0.5) * 7e-4);
        assertThat(acc.n()).isEqualTo(3);
        assertThat(acc.meanDifference()).isCloseTo(0.04, within(1e-12));
        assertThat(acc.t()).isCloseTo(1.656157, within(1e-6)).isCloseTo(t, within(1e-12));
        assertThat(acc.pValue()).isCloseTo(0.239530, within(1e-6)).isCloseTo(1 - t / Math.sqrt(2 + t * t),
                within(1e-12));
        assertThat(c.verdict(acc)).isEqualTo("cnn ahead, within noise");
    }

    @Test
    void pairsOnlyIndicesBothModelsCompleted() {
        RunFixture run = new RunFixture(dir, 5, 3, List.of("a", "b", "c"), List.of("cpu/0"));
        run.completed("a", 0, "cpu/0", 0, 1, 0.9, 0.1);
        run.completed("a", 1, "cpu/0", 1, 2, 0.8, 0.2);
        run.completed("a", 2, "cpu/0", 2, 3, 0.7, 0.3);
        run.completed("b", 1, "cpu/0", 3, 4, 0.6, 0.4);
        run.completed("b", 2, "cpu/0", 4, 5, 0.5, 0.5);
        run.add("b", 0, 1, "cpu/0", 5, 6, "failed", "exit 1", null);
        Summary s = Summary.of(run.view());

        assertThat(s.comparisons()).extracting(x -> x.modelA() + "-" + x.modelB()).containsExactly("a-b", "a-c",
                "b-c");
        PairedComparison ab = s.comparisons().get(0).metrics().get("val_accuracy");
        assertThat(ab.n()).isEqualTo(2);
        assertThat(ab.meanDifference()).isCloseTo(0.2, within(1e-12));
        assertThat(s.comparisons().get(1).metrics()).isEmpty();
    }

    @Test
    void singleModelHasWholeRunMetricsAndNoComparisons() {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("cnn"), List.of("gpu0/0"));
        run.completed("cnn", 0, "gpu0/0", 0, 10, 0.9, 0.3);
        run.completed("cnn", 1, "gpu0/0", 10, 20, 0.8, 0.4);
        run.running("cnn", 2, 1, "gpu0/0", 20);
        Summary s = Summary.of(run.view());

        assertThat(s.running()).isTrue();
        assertThat(s.requested()).isEqualTo(5);
        assertThat(s.attempts()).as("running attempts are not finished").isEqualTo(2);
        assertThat(s.runningAttempts()).isEqualTo(1);
        assertThat(s.metrics().get("val_accuracy").mean()).isCloseTo(0.85, within(1e-12));
        assertThat(s.comparisons()).isEmpty();
    }

    @Test
    void anAttemptLostWithTheSupervisorIsFinishedNotRunning() {
        RunFixture run = new RunFixture(dir, 5, 1, List.of("cnn"), List.of("gpu0/0"));
        AttemptView lost = run.lost("cnn", 0, 1, "gpu0/0", 0);
        run.completed("cnn", 0, "gpu0/0", 50, 60, 0.9, 0.3);
        run.ended = RunFixture.at(60);
        Summary s = Summary.of(run.view());

        assertThat(lost.running()).isFalse();
        assertThat(lost.durationSeconds(RunFixture.at(60))).as("end unknown").isNull();
        assertThat(s.runningAttempts()).isZero();
        assertThat(s.attempts()).isEqualTo(2);
        assertThat(s.failedAttempts()).isEqualTo(1);
        assertThat(s.attemptsByVerdict()).containsEntry("supervisor-lost", 1);
    }
}
