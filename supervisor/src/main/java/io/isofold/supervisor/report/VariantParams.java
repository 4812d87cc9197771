package io.isofold.supervisor.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.supervisor.spec.ParamText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A variant's settings as the reports show them: a custom worker's {@code params} ({@code --param lr=0.01}, a
 * {@code --models} file's), or a built-in model's hyperparameters, each value as text the way the user typed it
 * ({@code 0.0001}, not {@code 1.0E-4}; a list as JSON).
 */
public final class VariantParams {
    /** The built-in models' settings, in run.json's names and order. */
    static final List<String> BUILT_IN = List.of("architecture", "epochs", "batch_size", "learning_rate", "patience",
            "filters", "units", "dropout");

    private VariantParams() {}

    /** One entry of run.json's {@code models} (or a {@code ModelConfig} as JSON): its settings, in order. */
    public static Map<String, String> of(JsonNode model) {
        Map<String, String> params = new LinkedHashMap<>();
        if (model == null || !model.isObject()) {
            return params;
        }
        if ("custom".equals(model.path("architecture").asText())) {
            model.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), text(e.getValue())));
            return params;
        }
        for (String name : BUILT_IN) {
            JsonNode v = model.get(name);
            // a cnn's filters are its own: an mlp's empty list says nothing
            if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                params.put(name, text(v));
            }
        }
        return params;
    }

    /** Of every variant of run.json's {@code models}: name to settings, in spec order. */
    public static Map<String, Map<String, String>> ofModels(JsonNode models) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        if (models != null) {
            models.forEach(m -> all.putIfAbsent(m.path("name").asText(), of(m)));
        }
        return all;
    }

    static String text(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber()) {
            return ParamText.of(v.doubleValue());
        }
        if (v.isContainerNode()) {
            return v.toString();
        }
        return v.asText(); // true, false, null
    }
}
