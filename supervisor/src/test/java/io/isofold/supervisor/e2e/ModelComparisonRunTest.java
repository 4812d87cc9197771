package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two variants of a custom worker in one run: the same replicates for each, paired results, one
 * comparison in the summary, and each variant's params in ISOFOLD_PARAMS and {param.NAME}.
 */
@Tag("e2e")
class ModelComparisonRunTest extends EndToEndTest {

    @Test
    void everyModelGetsTheSameFoldsAndTheSummaryComparesThem() throws java.io.IOException {
        RunDir run = newRun("two-models");
        java.nio.file.Path variants = java.nio.file.Files.writeString(tmp.resolve("variants.json"),
                "[{\"name\":\"cnn\",\"params\":{\"width\":8}},{\"name\":\"mlp\",\"params\":{\"width\":16}}]");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--folds", "3", "--replicates", "6", "--models", variants.toString()),
                TestWorker.command("ok", "0", "{model}", "{param.width}")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        List<Map<String, String>> rows = run.results();
        assertThat(rows).hasSize(12);
        assertThat(rows.stream().map(r -> r.get("replicate")).distinct().count()).isEqualTo(12);
        Map<String, List<String>> foldsByModel = rows.stream().collect(Collectors.groupingBy(r -> r.get("model"),
                Collectors.mapping(r -> r.get("fold"), Collectors.toList())));
        assertThat(foldsByModel.keySet()).containsExactlyInAnyOrder("cnn", "mlp");
        assertThat(foldsByModel.get("cnn")).containsExactlyInAnyOrderElementsOf(foldsByModel.get("mlp"));
        // the worker got its model by placeholder and by task.json
        for (WorkerRecord w : run.workerRecords()) {
            List<String> argv = w.argv();
            String model = argv.get(argv.size() - 2);
            assertThat(model).isIn("cnn", "mlp");
            String width = model.equals("cnn") ? "8" : "16";
            assertThat(argv).last().isEqualTo(width);
            assertThat(w.env("ISOFOLD_PARAMS")).isEqualTo("{\"width\":" + width + "}");
            assertThat(w.env("ISOFOLD_MODEL")).isEqualTo(model);
        }
        JsonNode summary = run.summary();
        assertThat(summary.get("requested").asInt()).isEqualTo(12);
        assertThat(summary.path("models").path("cnn").path("completed").asInt()).isEqualTo(6);
        assertThat(summary.path("comparisons")).hasSize(1);
        assertThat(summary.path("comparisons").get(0).path("metrics").path("accuracy").path("n").asInt()).isEqualTo(6);
        assertThat(outcome.stdout()).contains("cnn vs mlp");
    }
}
