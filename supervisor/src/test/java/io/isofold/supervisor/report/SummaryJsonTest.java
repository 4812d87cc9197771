package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class SummaryJsonTest {
    @TempDir
    Path dir;

    @Test
    void writesTheContractFieldsForSeveralModels() throws Exception {
        RunView view = RunFixture.twoModels(dir).view();
        SummaryJson.write(Summary.of(view), dir);

        JsonNode root = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        assertThat(root.get("requested").asInt()).isEqualTo(6);
        assertThat(root.get("completed").asInt()).isEqualTo(6);
        assertThat(root.get("attempts").asInt()).isEqualTo(9);
        assertThat(root.get("failed_attempts").asInt()).isEqualTo(2);
        assertThat(root.get("status").asText()).as("all requested replicates completed").isEqualTo("complete");
        assertThat(root.has("metrics")).as("top-level metrics only with one model").isFalse();

        JsonNode cnnAcc = root.at("/models/cnn/metrics/val_accuracy");
        assertThat(cnnAcc.get("n").asInt()).isEqualTo(3);
        assertThat(cnnAcc.get("mean").asDouble()).isCloseTo(0.92, within(1e-12));
        assertThat(cnnAcc.get("std").asDouble()).isCloseTo(0.02, within(1e-12));
        assertThat(cnnAcc.get("min").asDouble()).isEqualTo(0.90);
        assertThat(cnnAcc.get("max").asDouble()).isEqualTo(0.94);
        assertThat(cnnAcc.get("ci95_low").asDouble()).isCloseTo(0.870317, within(1e-6));
        assertThat(root.at("/models/mlp/requested").asInt()).isEqualTo(3);
        JsonNode auc = root.at("/models/mlp/metrics/auc");
        assertThat(auc.get("std").isNull()).as("one value: std written as null, not left out").isTrue();
        assertThat(auc.get("ci95_high").isNull()).isTrue();

        JsonNode cmp = root.at("/comparisons/0");
        assertThat(cmp.get("model_a").asText()).isEqualTo("cnn");
        assertThat(cmp.get("model_b").asText()).isEqualTo("mlp");
        JsonNode acc = cmp.at("/metrics/val_accuracy");
        assertThat(acc.get("n").asInt()).isEqualTo(3);
        assertThat(acc.get("df").asInt()).isEqualTo(2);
        assertThat(acc.get("mean_difference").asDouble()).isCloseTo(0.04, within(1e-12));
        assertThat(acc.get("t").asDouble()).isCloseTo(1.656157, within(1e-6));
        assertThat(acc.get("p_value").asDouble()).isCloseTo(0.239530, within(1e-6));
        assertThat(acc.get("verdict").asText()).isEqualTo("cnn ahead, within noise");
        assertThat(cmp.at("/metrics/val_loss/better").asText()).isEqualTo("lower");
        assertThat(cmp.at("/metrics/val_loss/better_guessed").asBoolean()).as("no --metric: a guess").isTrue();
        assertThat(cmp.at("/metrics/val_accuracy/better").asText()).isEqualTo("higher");
        assertThat(root.get("primary_metric").asText()).isEqualTo("val_accuracy");
        assertThat(root.get("metric_goals")).isEmpty();
        assertThat(root.at("/directions/auc/better").asText()).isEqualTo("higher");
        assertThat(root.at("/directions/auc/guessed").asBoolean()).isTrue();
        assertThat(root.at("/directions/auc/basis").asText()).isEqualTo("name");
        assertThat(root.get("notes")).isEmpty();
        assertThat(root.has("results_csv_columns")).isFalse();
    }

    @Test
    void singleModelRunHasTopLevelMetrics() throws Exception {
        RunFixture run = new RunFixture(dir, 5, 2, List.of("cnn"), List.of("gpu0/0"));
        run.completed("cnn", 0, "gpu0/0", 0, 10, 0.9, 0.3);
        run.completed("cnn", 1, "gpu0/0", 10, 20, 0.8, 0.5);
        JsonNode root = Json.MAPPER.readTree(SummaryJson.render(Summary.of(run.view())));

        assertThat(root.at("/metrics/val_loss/mean").asDouble()).isCloseTo(0.4, within(1e-12));
        assertThat(root.at("/metrics/val_loss/std").asDouble()).isCloseTo(Math.sqrt(0.02), within(1e-12));
        assertThat(root.at("/models/cnn/completed").asInt()).isEqualTo(2);
        assertThat(root.get("comparisons")).isEmpty();
        assertThat(root.get("status").asText()).isEqualTo("running");
    }
}
