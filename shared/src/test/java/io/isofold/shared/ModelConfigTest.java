package io.isofold.shared;

import static org.assertj.core.api.Assertions.assertThat;

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
}
