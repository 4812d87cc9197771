package io.isofold.shared;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The field names the supervisor reads from a worker's files are the names the worker writes: result.json and
 * progress.jsonl are written from {@link WorkerResult} and {@link ProgressEvent} by {@link Json#MAPPER}, and read
 * back by their constants. A component renamed on one side breaks this test, not a user's report.
 */
@Tag("unit")
class ContractFieldNamesTest {

    @Test
    void resultFieldsTheSupervisorReadsAreTheOnesTheWorkerWrites() {
        WorkerResult r = new WorkerResult(Map.of("val_loss", 0.5), List.of(), "cpu", 10, List.of(), "model", 8, 2,
                List.of("/device:CPU:0"), List.of("libcudart.so.12"), null, Map.of("val_loss", WorkerResult.MIN));
        JsonNode written = Json.MAPPER.valueToTree(r);

        assertThat(names(written)).contains(WorkerResult.METRICS, WorkerResult.DEVICE, WorkerResult.CUDA_MISSING,
                WorkerResult.DIRECTIONS);
        assertThat(written.get(WorkerResult.DIRECTIONS).get("val_loss").asText()).isEqualTo(WorkerResult.MIN);
    }

    @Test
    void progressFieldsTheSupervisorReadsAreTheOnesTheWorkerWrites() {
        JsonNode epoch = Json.MAPPER.valueToTree(new ProgressEvent(3, 7, 10, 0.4, 0.8, 0.5, 0.7, 12.5));
        JsonNode continued = Json.MAPPER.valueToTree(ProgressEvent.continued(4, 2, 1.0, 30.0));

        assertThat(names(epoch)).contains(ProgressEvent.EPOCH, ProgressEvent.BATCH, ProgressEvent.BATCHES,
                ProgressEvent.SECONDS, ProgressEvent.VAL_LOSS);
        assertThat(names(continued)).contains(ProgressEvent.PHASE, ProgressEvent.RESTORED_SECONDS);
        assertThat(continued.get(ProgressEvent.PHASE).asText()).isEqualTo(ProgressEvent.PHASE_CONTINUED);
        assertThat(continued.get(ProgressEvent.RESTORED_SECONDS).asDouble()).isEqualTo(30.0);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
