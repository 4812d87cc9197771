package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: a custom variant's task.json carried the built-in worker's fields (epochs 0, batch_size 0,
 * filters [], ...) beside its params; it carries its name, {@code "architecture": "custom"} and its params
 * only, and a run whose run.json an earlier version wrote in the full form still resumes.
 */
@Tag("e2e")
class CustomVariantTaskTest extends EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aCustomVariantsTaskCarriesItsParamsAndAnOlderRunJsonStillResumes() throws Exception {
        RunDir run = newRun("custom-task");
        List<String> options = List.of("--gpus", "none", "--folds", "2", "--replicates", "1", "--max-attempts", "1",
                "--param", "hidden=16,32", "--param", "lr=0.01");
        SupervisorProcess.Outcome first = supervisor().run(args(run, options, TestWorker.command("flaky", "0")));
        assertThat(first.exitCode()).as("attempt 1 of each fails: " + first).isEqualTo(1);

        JsonNode task = JSON.readTree(run.attemptDir(0, 1).resolve("task.json").toFile());
        assertThat(task.get("model_config")).isEqualTo(JSON.readTree(
                "{\"name\": \"hidden-16_lr-0.01\", \"architecture\": \"custom\", \"params\": {\"hidden\": 16, \"lr\": 0.01}}"));
        assertThat(task.get("model").asText()).isEqualTo("hidden-16_lr-0.01");
        ObjectNode runJson = (ObjectNode) JSON.readTree(run.file("run.json").toFile());
        JsonNode models = runJson.get("models");
        assertThat(models).hasSize(2).allSatisfy(m -> assertThat(m.has("epochs")).isFalse());

        // the full form earlier versions wrote
        for (JsonNode m : models) {
            ((ObjectNode) m).put("epochs", 0).put("batch_size", 0).put("learning_rate", 0.0).put("patience", 0)
                    .put("dropout", 0.0).set("filters", JSON.createArrayNode());
            ((ObjectNode) m).set("units", JSON.createArrayNode());
        }
        Files.writeString(run.file("run.json"), JSON.writeValueAsString(runJson));
        SupervisorProcess.Outcome resumed = supervisor().run("resume", run.dir().toString(), "--max-attempts", "2");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.results()).hasSize(2);
    }
}
