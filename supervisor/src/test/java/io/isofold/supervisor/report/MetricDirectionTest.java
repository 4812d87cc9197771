package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.spec.MetricDirection;
import io.isofold.supervisor.spec.MetricGoal;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class MetricDirectionTest {

    @ParameterizedTest
    @ValueSource(strings = {"rmse", "val_rmse", "test/mae", "mse", "MAPE", "perplexity", "val_ppl", "wer", "cer",
            "error", "top1_error", "loss", "val_loss", "valLoss", "valloss", "nll", "brier", "brier_score",
            "log_loss", "logloss", "mean_squared_error", "meanAbsoluteError", "fit_time", "seconds", "duration_s",
            "latency_ms", "epoch_time", "false_positive_rate", "kl_divergence", "negative_log_likelihood",
            "hamming_loss", "val-cross-entropy", "fid"})
    void lowerIsBetterForLossesErrorsAndTimes(String name) {
        MetricDirection d = MetricDirection.guess(name);
        assertThat(d.lowerIsBetter()).as(name).isTrue();
        assertThat(d.guessed()).isTrue();
        assertThat(d.basis()).isEqualTo(MetricDirection.Basis.NAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"accuracy", "val_accuracy", "acc", "valAcc", "auc", "roc_auc", "val_AUC", "f1",
            "f1_score", "precision", "recall", "r2", "R2", "map", "mAP", "ndcg@10", "bleu", "iou", "miou", "dice",
            "top5", "true_positive_rate", "samples_per_second", "neg_mean_squared_error", "neg_log_loss",
            "valaccuracy", "spearman", "mcc", "hit_rate"})
    void higherIsBetterForScores(String name) {
        MetricDirection d = MetricDirection.guess(name);
        assertThat(d.lowerIsBetter()).as(name).isFalse();
        assertThat(d.basis()).as(name).isEqualTo(MetricDirection.Basis.NAME);
    }

    @Test
    void anUnknownNameIsTakenAsHigherAndSaysItIsAGuess() {
        MetricDirection d = MetricDirection.guess("zeta");
        assertThat(d.lowerIsBetter()).isFalse();
        assertThat(d.basis()).isEqualTo(MetricDirection.Basis.DEFAULT);
        assertThat(d.phrase()).isEqualTo("higher is better (guessed: unknown name)");
        assertThat(d.arrow()).isEqualTo("\u2191?");
    }

    @Test
    void theUsersGoalWinsOverTheName() {
        MetricGoals goals = MetricGoals.of(List.of(MetricGoal.parse("loss_gain:max"), MetricGoal.parse("score:min"),
                MetricGoal.parse("rmse")));
        MetricDirection gain = goals.direction("loss_gain");
        assertThat(gain.lowerIsBetter()).as("the name says loss, the user said max").isFalse();
        assertThat(gain.guessed()).isFalse();
        assertThat(gain.better()).isEqualTo("higher");
        assertThat(gain.phrase()).isEqualTo("higher is better");
        assertThat(gain.arrow()).isEqualTo("\u2191");
        assertThat(goals.direction("score").lowerIsBetter()).isTrue();
        // named without a direction: still a guess, from the name
        assertThat(goals.direction("rmse").lowerIsBetter()).isTrue();
        assertThat(goals.direction("rmse").guessed()).isTrue();
        assertThat(goals.direction("val_loss").guessed()).isTrue();
    }

    @Test
    void goalsComeFirstInTheOrderGiven() {
        MetricGoals goals = MetricGoals.parse(List.of("rmse:min", "mae", "not a metric!"));
        assertThat(goals.texts()).containsExactly("rmse:min", "mae");
        assertThat(goals.displayOrder(Set.of("auc", "mae", "val_loss", "rmse", "val_accuracy")))
                .containsExactly("rmse", "mae", "val_accuracy", "val_loss", "auc");
        assertThat(goals.missing(Set.of("mae"))).containsExactly("rmse");
        assertThat(MetricGoals.NONE.displayOrder(Set.of("b", "val_loss", "a"))).containsExactly("val_loss", "a", "b");
        // names that say nothing of a direction (a count, a setting) after the scores and losses
        assertThat(MetricGoals.NONE.displayOrder(Set.of("gpu", "rmse", "epochs", "r2")))
                .containsExactly("r2", "rmse", "epochs", "gpu");
    }
}
