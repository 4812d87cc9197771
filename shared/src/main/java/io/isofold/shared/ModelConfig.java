package io.isofold.shared;

import java.util.List;

/**
 * One model configuration of a run: the architecture and its hyperparameters. A run may compare several;
 * each gets the same replicates so that their results pair up.
 *
 * @param name         the label in results and reports (unique within a run)
 * @param architecture {@code cnn} or {@code mlp}
 * @param filters      convolution filters per conv block (cnn only)
 * @param units        units of the hidden dense layers
 */
public record ModelConfig(
        String name,
        String architecture,
        int epochs,
        int batchSize,
        double learningRate,
        int patience,
        List<Integer> filters,
        List<Integer> units,
        double dropout) {

    public static final List<String> ARCHITECTURES = List.of("cnn", "mlp");

    public ModelConfig {
        filters = filters == null ? List.of() : List.copyOf(filters);
        units = units == null ? List.of() : List.copyOf(units);
    }

    /** The defaults of an architecture: the TensorFlow tutorial's CNN, and the 256-128-100 MLP baseline. */
    public static ModelConfig defaults(String architecture) {
        return switch (architecture) {
            case "cnn" -> new ModelConfig("cnn", "cnn", 15, 64, 1e-3, 3, List.of(32, 64), List.of(128), 0.3);
            case "mlp" -> new ModelConfig("mlp", "mlp", 30, 64, 1e-3, 4, List.of(), List.of(256, 128, 100), 0.2);
            default -> throw new IllegalArgumentException(
                    "unknown model '" + architecture + "' (expected one of " + ARCHITECTURES + ")");
        };
    }

    public ModelConfig withName(String newName) {
        return new ModelConfig(newName, architecture, epochs, batchSize, learningRate, patience, filters, units, dropout);
    }
}
