package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole stack for real: the supervisor launches the built-in TensorFlow worker (the packaged
 * jar, so this runs in `mvn verify`) on the bundled Fashion-MNIST subset, three replicates of one
 * short epoch each, and every one of them learns.
 */
@Tag("e2e")
class BuiltInWorkerRunTest extends EndToEndTest {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // above the run's own 6-minute limit
    void threeReplicatesOfTheBuiltInWorkerTrainAndReport() throws Exception {
        Path jar = Path.of(System.getProperty("isofold.worker.jar", "../worker/target/isofold-worker.jar"));
        assertThat(jar).as("the worker jar is built before the supervisor's tests (mvn verify)").isRegularFile();
        RunDir run = newRun("builtin");

        SupervisorProcess.Outcome outcome = supervisor().timeout(Duration.ofMinutes(6)).run(args(run,
                List.of("--folds", "5", "--replicates", "3", "--gpus", "none", "--epochs", "1", "--batch-size", "128",
                        "--no-save-model", "--worker-jvm-opts", "-Xmx1g"),
                List.of()));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        List<Map<String, String>> rows = run.results();
        assertThat(rows).hasSize(3);
        for (Map<String, String> row : rows) {
            // 10 classes: chance is 0.1; one epoch on 8,000 images gets far past it
            assertThat(Double.parseDouble(row.get("val_accuracy"))).isGreaterThan(0.6);
            assertThat(row.get("model")).isEqualTo("cnn");
            assertThat(row.get("gpu")).isEqualTo("cpu");
        }
        JsonNode result = new ObjectMapper().readTree(run.attemptDir(0, 1).resolve("result.json").toFile());
        assertThat(result.path("device").asText()).containsIgnoringCase("cpu");
        assertThat(Files.exists(run.attemptDir(0, 1).resolve("model"))).as("--no-save-model").isFalse();
        assertThat(Files.readAllLines(run.attemptDir(0, 1).resolve("progress.jsonl"))).isNotEmpty();
        assertThat(run.file("report.html")).isRegularFile();
    }
}
