package io.isofold.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.ModelConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

@Tag("e2e")
class TrainingGraphTest {
    private static float[][] initialWeights(ModelConfig config, long seed) {
        try (TrainingGraph g = new TrainingGraph(config, 28, 28, 1, 10, seed);
             Session session = new Session(g.graph)) {
            session.initialize();
            return Trainer.snapshot(session, g);
        }
    }

    @Test
    void initialisationIsSeededAndSymmetric() {
        ModelConfig cnn = ModelConfig.defaults("cnn");
        float[][] a = initialWeights(cnn, 1);
        assertThat(initialWeights(cnn, 1)).isDeepEqualTo(a);
        assertThat(initialWeights(cnn, 2)[0]).isNotEqualTo(a[0]);

        // He-uniform for conv1: limit sqrt(6 / (3*3*1)); values spread over both signs
        float[] k = a[0];
        double limit = Math.sqrt(6.0 / 9);
        double mean = 0;
        for (float v : k) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo((float) limit);
            mean += v / k.length;
        }
        assertThat(Math.abs(mean)).isLessThan(limit / 4);
        assertThat(a[1]).containsOnly(0f); // biases start at zero
    }

    @Test
    void variableNamesAreStableAcrossGraphsAndArchitectures() {
        try (TrainingGraph g1 = new TrainingGraph(ModelConfig.defaults("mlp"), 28, 28, 1, 10, 1);
             TrainingGraph g2 = new TrainingGraph(ModelConfig.defaults("mlp"), 28, 28, 1, 10, 99)) {
            assertThat(g1.variableNames()).isEqualTo(g2.variableNames())
                    .containsExactly("dense1_kernel", "dense1_bias", "dense2_kernel", "dense2_bias",
                            "dense3_kernel", "dense3_bias", "logits_kernel", "logits_bias");
            assertThat(g1.parameterCount()).isEqualTo(784L * 256 + 256 + 256 * 128 + 128 + 128 * 100 + 100 + 100 * 10 + 10);
        }
    }
}
