package io.isofold.supervisor.outcome;

import com.google.common.base.Ascii;
import io.isofold.shared.WorkerResult;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.MetricValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's test of a result file: a JSON object with a {@code metrics} object of finite
 * numbers (at least one). Either {@code metrics} or {@code problem} is set. Also reads what the
 * worker says it computed on ({@code device}), which CUDA libraries it could not load
 * ({@code cuda_missing}), and which way its metrics are better ({@code directions}:
 * {@code {"val_loss": "min", "val_accuracy": "max"}}).
 *
 * <p>Streamed: a result may carry megabytes of per-sample predictions beside its metrics, and only
 * the few fields read here are ever held. A file of any size costs the supervisor no more memory
 * than {@value #MAX_METRICS} metrics.
 */
public record ResultCheck(Map<String, Double> metrics, String problem, String device, List<String> cudaMissing,
        Map<String, String> directions) {

    /**
     * @param directions what the worker declared for its metrics, metric to {@code min} or {@code max}, in the
     *                   file's order; only metrics the result reports, and only those two words (any case, stored
     *                   lower case): anything else is not a declaration and is left out
     */
    public ResultCheck {
        directions = directions == null ? Map.of() : directions;
    }

    /**
     * The most metrics one result may report: well above what real results report (per-class
     * accuracy, precision, recall and F1 over ImageNet's 1,000 classes is 4,000), and bounded because
     * the run keeps every completed attempt's metrics in memory to its end (8 bytes a value, see
     * {@link io.isofold.supervisor.journal.MetricValues}), so that one absurd result cannot take the
     * supervisor's small heap. docs/limits.md says the same to users.
     */
    static final int MAX_METRICS = 10_000;
    /**
     * The longest metric name, in characters. With {@link #MAX_METRICS}, it bounds the attempt's
     * journal line, which must stay readable ({@code JournalReader.MAX_LINE_BYTES}) even when every
     * character of every name is one the journal escapes in six bytes.
     */
    static final int MAX_NAME_CHARS = 200;
    // NaN and Infinity are read as numbers so the reason can say which metric is not finite
    private static final JsonFactory LENIENT = Json.MAPPER.getFactory().rebuild()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    public boolean valid() {
        return problem == null;
    }

    public static ResultCheck of(Path resultFile) {
        if (!Files.isRegularFile(resultFile)) {
            return failure("exited 0 without writing " + resultFile.getFileName());
        }
        String name = resultFile.getFileName().toString();
        try (JsonParser p = LENIENT.createParser(resultFile.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return failure(name + " is not a JSON object");
            }
            Map<String, Double> metrics = null;
            Map<String, String> directions = Map.of();
            String device = null;
            List<String> missing = List.of();
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(WorkerResult.METRICS)) {
                    if (value != JsonToken.START_OBJECT) {
                        return failure(name + " has no metrics object");
                    }
                    metrics = new LinkedHashMap<>();
                    for (JsonToken m = p.nextToken(); m == JsonToken.FIELD_NAME; m = p.nextToken()) {
                        String metric = p.currentName();
                        if (metric.length() > MAX_NAME_CHARS) {
                            return failure(name + " has a metric name of " + metric.length() + " characters ("
                                    + abbreviate(metric) + "); the longest a name may be is " + MAX_NAME_CHARS);
                        }
                        JsonToken v = p.nextToken();
                        if (!v.isNumeric() || !Double.isFinite(p.getDoubleValue())) {
                            return failure("metric " + metric + " is not a finite number: " + abbreviate(text(p, v)));
                        }
                        if (metrics.size() == MAX_METRICS) {
                            return failure(name + " has more than " + MAX_METRICS + " metrics, the most a result"
                                    + " may report (docs/limits.md)");
                        }
                        metrics.put(metric, p.getDoubleValue());
                    }
                } else if (field.equals(WorkerResult.DIRECTIONS) && value == JsonToken.START_OBJECT) {
                    directions = directions(p);
                } else if (field.equals(WorkerResult.DEVICE) && value == JsonToken.VALUE_STRING) {
                    device = abbreviate(p.getText());
                } else if (field.equals(WorkerResult.CUDA_MISSING) && value == JsonToken.START_ARRAY) {
                    missing = new ArrayList<>();
                    for (JsonToken s = p.nextToken(); s != JsonToken.END_ARRAY && s != null; s = p.nextToken()) {
                        if (s == JsonToken.VALUE_STRING && missing.size() < 50) {
                            missing.add(abbreviate(p.getText()));
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                return failure(name + " is not valid JSON");
            }
            if (metrics == null) {
                return failure(name + " has no metrics object");
            }
            if (metrics.isEmpty()) {
                return failure(name + " has an empty metrics object");
            }
            return new ResultCheck(MetricValues.of(metrics), null, device, List.copyOf(missing),
                    declaredFor(directions, metrics));
        } catch (IOException e) {
            return failure(name + " is not valid JSON");
        }
    }

    /**
     * The {@code directions} object, the parser at its start: as many entries as a result may have metrics,
     * each name as long as a metric's may be; the rest is skipped unread, so it costs no more than the metrics.
     */
    private static Map<String, String> directions(JsonParser p) throws IOException {
        Map<String, String> directions = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String metric = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                p.skipChildren();
                continue;
            }
            String word = p.getText().trim().toLowerCase(java.util.Locale.ROOT);
            if ((word.equals("min") || word.equals("max")) && metric.length() <= MAX_NAME_CHARS
                    && directions.size() < MAX_METRICS) {
                directions.putIfAbsent(metric, word);
            }
        }
        return directions;
    }

    /** The declared directions of the metrics the result reports; none of names it does not. */
    private static Map<String, String> declaredFor(Map<String, String> directions, Map<String, Double> metrics) {
        if (directions.isEmpty()) {
            return Map.of();
        }
        Map<String, String> kept = new LinkedHashMap<>();
        directions.forEach((metric, word) -> {
            if (metrics.containsKey(metric)) {
                kept.put(metric, word);
            }
        });
        return kept.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(kept);
    }

    private static String text(JsonParser p, JsonToken v) {
        try {
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                p.skipChildren();
                return v == JsonToken.START_OBJECT ? "{...}" : "[...]";
            }
            return v == JsonToken.VALUE_STRING ? '"' + p.getText() + '"' : p.getText();
        } catch (IOException e) {
            return "?";
        }
    }

    private static ResultCheck failure(String problem) {
        return new ResultCheck(Map.of(), problem, null, List.of(), Map.of());
    }

    private static String abbreviate(String s) {
        return Ascii.truncate(s, 40, "...");
    }

    /**
     * Whether a worker's {@code device} says it computed on the CPU ("cpu", "CPU"), and names no GPU
     * ("gpu NVIDIA H200", "cuda:0", "MIG-..."). "unknown" is not a CPU: only a worker's own word stops a run.
     */
    public static boolean computedOnCpu(String device) {
        String d = device.toLowerCase(java.util.Locale.ROOT);
        boolean gpu = d.contains("gpu") || d.contains("cuda") || d.contains("mig");
        return !gpu && d.contains("cpu");
    }
}
