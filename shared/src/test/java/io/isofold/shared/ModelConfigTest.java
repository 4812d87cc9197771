package io.isofold.shared;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ModelConfigTest {

    @Test
    void theDefaultsAreValid() {
        assertThat(ModelConfig.defaults("cnn").problem()).isEmpty();
        assertThat(ModelConfig.defaults("mlp").problem()).isEmpty();
    }

    /** Passed the CLI and failed only after launch: a cnn with no convolution. */
    @Test
    void aCnnWithoutFiltersIsRefused() {
        ModelConfig c = new ModelConfig("c", "cnn", 1, 8, 1e-3, 1, List.of(), List.of(8), 0.1);
        assertThat(c.problem()).hasValueSatisfying(p -> assertThat(p).contains("filters"));
    }

    @Test
    void outOfRangeValuesAreNamed() {
        assertThat(new ModelConfig("m", "mlp", 0, 8, 1e-3, 1, List.of(), List.of(8), 0.1).problem()).get()
                .asString().contains("epochs");
        assertThat(new ModelConfig("m", "mlp", 1, 8, 1e-3, 1, List.of(), List.of(8), 1.0).problem()).get()
                .asString().contains("dropout");
        assertThat(new ModelConfig("a b", "mlp", 1, 8, 1e-3, 1, List.of(), List.of(8), 0).problem()).get()
                .asString().contains("name");
    }

    @Test
    void aCustomVariantNeedsOnlyAName() {
        assertThat(ModelConfig.custom("wide", Map.of("lr", 0.1)).problem()).isEmpty();
        assertThat(ModelConfig.custom("", Map.of()).problem()).isPresent();
    }

    /**
     * Issue 18: a custom variant's task.json carried the built-in worker's fields (epochs 0, batch_size 0,
     * filters [], ...), which a worker command's author read as settings of theirs.
     */
    @Test
    void aCustomVariantIsWrittenAsItsNameAndParamsOnly() throws Exception {
        ModelConfig wide = ModelConfig.custom("wide", Map.of("hidden", 256, "lr", 0.01));
        JsonNode json = Json.MAPPER.valueToTree(wide);
        assertThat(json).isEqualTo(Json.MAPPER.readTree(
                "{\"name\": \"wide\", \"architecture\": \"custom\", \"params\": {\"hidden\": 256, \"lr\": 0.01}}"));
        assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(wide), ModelConfig.class)).isEqualTo(wide);

        Task task = new Task(11, 5, "wide", wide, 0, 5, 1, 7, 8, 1, "cpu", null, false, "/a", "/a/p", "/a/r", "/c", null);
        assertThat(Json.MAPPER.valueToTree(task).path("model_config")).isEqualTo(json);
    }

    @Test
    void aCustomVariantInTheFullFormEarlierVersionsWroteReadsBackTheSame() throws Exception {
        String full = "{\"name\":\"wide\",\"architecture\":\"custom\",\"epochs\":0,\"batch_size\":0,"
                + "\"learning_rate\":0.0,\"patience\":0,\"filters\":[],\"units\":[],\"dropout\":0.0,"
                + "\"params\":{\"lr\":0.01}}";
        assertThat(Json.MAPPER.readValue(full, ModelConfig.class)).isEqualTo(ModelConfig.custom("wide", Map.of("lr", 0.01)));
    }

    /** A built-in variant keeps every field, written as Jackson writes the record by itself: nothing lost or renamed. */
    @Test
    void aBuiltInVariantKeepsEveryField() throws Exception {
        ObjectMapper plain = Json.MAPPER.copy().disable(MapperFeature.USE_ANNOTATIONS);
        for (ModelConfig c : List.of(ModelConfig.defaults("cnn"), ModelConfig.defaults("mlp"),
                new ModelConfig("m", "mlp", 3, 8, 0.5, 0, List.of(), List.of(4), 0))) {
            JsonNode json = Json.MAPPER.valueToTree(c);
            assertThat(json).isEqualTo(plain.valueToTree(c));
            assertThat(json.size()).isEqualTo(ModelConfig.class.getRecordComponents().length);
            assertThat(Json.MAPPER.treeToValue(json, ModelConfig.class)).isEqualTo(c);
        }
    }
}
