package io.isofold.shared;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One model variant of a run. A run may compare several; each gets the same replicates so that
 * their results pair up.
 *
 * <p>For the built-in worker a variant is an architecture with its hyperparameters. For a custom
 * worker it is a name and free-form {@code params} that reach the worker as {@code ISOFOLD_PARAMS}
 * (JSON) and the {@code {param.NAME}} placeholders; its architecture is {@value #CUSTOM}.
 *
 * @param name         the label in results and reports (unique within a run)
 * @param architecture {@code cnn}, {@code mlp}, or {@value #CUSTOM}
 * @param filters      convolution filters per conv block (cnn only)
 * @param units        units of the hidden dense layers
 * @param params       a custom worker's settings of this variant; empty for the built-in models
 *
 * <p>In JSON (task.json's {@code model_config}, run.json's {@code models}) a custom variant is its name,
 * {@code "architecture": "custom"} and its params: the built-in worker's fields mean nothing to a worker
 * command, and zeros there would read as settings. A built-in variant has every field. Both read back as
 * they were written, and so does the full form earlier versions wrote for a custom variant.
 */
@JsonSerialize(using = ModelConfig.Writer.class)
public record ModelConfig(
        String name,
        String architecture,
        int epochs,
        int batchSize,
        double learningRate,
        int patience,
        List<Integer> filters,
        List<Integer> units,
        double dropout,
        Map<String, Object> params) {

    public static final List<String> ARCHITECTURES = List.of("cnn", "mlp");
    public static final String CUSTOM = "custom";

    public ModelConfig {
        filters = filters == null ? List.of() : List.copyOf(filters);
        units = units == null ? List.of() : List.copyOf(units);
        // in the order given (--param lr=... --param batch=...): reports show the params as columns in that order
        params = params == null ? Map.of() : orderedCopy(params);
    }

    public ModelConfig(String name, String architecture, int epochs, int batchSize, double learningRate, int patience,
            List<Integer> filters, List<Integer> units, double dropout) {
        this(name, architecture, epochs, batchSize, learningRate, patience, filters, units, dropout, Map.of());
    }

    /** An unmodifiable copy that keeps the order; null keys and values refused, as {@code Map.copyOf} does. */
    private static Map<String, Object> orderedCopy(Map<String, Object> params) {
        Map<String, Object> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        return Collections.unmodifiableMap(copy);
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

    /** A custom worker's variant: a name and its params. */
    public static ModelConfig custom(String name, Map<String, Object> params) {
        return new ModelConfig(name, CUSTOM, 0, 0, 0, 0, List.of(), List.of(), 0, params);
    }

    public boolean custom() {
        return CUSTOM.equals(architecture);
    }

    public ModelConfig withName(String newName) {
        return new ModelConfig(newName, architecture, epochs, batchSize, learningRate, patience, filters, units, dropout,
                params);
    }

    /**
     * What is wrong with this variant, in one line, or empty. The one check both sides use: the CLI
     * refuses a bad variant before anything starts, and the worker refuses a bad task with exit 2.
     */
    public Optional<String> problem() {
        String m = "model '" + name + "': ";
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            return Optional.of("model name '" + name + "' must be letters, digits, '.', '_' or '-'");
        }
        if (custom()) {
            return Optional.empty();
        }
        if (architecture == null || !ARCHITECTURES.contains(architecture)) {
            return Optional.of(m + "unknown architecture '" + architecture + "' (expected one of " + ARCHITECTURES + ")");
        }
        if (epochs < 1) {
            return Optional.of(m + "epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            return Optional.of(m + "batch_size must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0 && learningRate < 10)) {
            return Optional.of(m + "learning_rate must be a number between 0 and 10, got " + learningRate);
        }
        if (patience < 0) {
            return Optional.of(m + "patience must not be negative, got " + patience);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            return Optional.of(m + "dropout must be in [0, 1), got " + dropout);
        }
        if (filters.stream().anyMatch(f -> f == null || f < 1) || units.stream().anyMatch(u -> u == null || u < 1)) {
            return Optional.of(m + "filters and units must be positive, got " + filters + " and " + units);
        }
        if (architecture.equals("cnn") && filters.isEmpty()) {
            return Optional.of(m + "a cnn needs at least one entry in filters");
        }
        return Optional.empty();
    }

    /** The JSON form described above; the names are the record's, in the snake_case of {@link Json#MAPPER}. */
    static final class Writer extends StdSerializer<ModelConfig> {
        Writer() {
            super(ModelConfig.class);
        }

        @Override
        public void serialize(ModelConfig c, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject(c);
            if (c.name() != null) {
                gen.writeStringField("name", c.name());
            }
            if (c.architecture() != null) {
                gen.writeStringField("architecture", c.architecture());
            }
            if (!c.custom()) {
                gen.writeNumberField("epochs", c.epochs());
                gen.writeNumberField("batch_size", c.batchSize());
                gen.writeNumberField("learning_rate", c.learningRate());
                gen.writeNumberField("patience", c.patience());
                provider.defaultSerializeField("filters", c.filters(), gen);
                provider.defaultSerializeField("units", c.units(), gen);
                gen.writeNumberField("dropout", c.dropout());
            }
            provider.defaultSerializeField("params", c.params(), gen);
            gen.writeEndObject();
        }
    }
}
