package io.isofold.supervisor.schedule;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contract's test of a result file: a JSON object with a {@code metrics} object of finite
 * numbers (at least one). Either {@code metrics} or {@code problem} is set.
 */
public record ResultCheck(Map<String, Double> metrics, String problem) {

    public boolean valid() {
        return problem == null;
    }

    public static ResultCheck of(Path resultFile) {
        if (!Files.isRegularFile(resultFile)) {
            return failure("exited 0 without writing " + resultFile.getFileName());
        }
        JsonNode root;
        try {
            // NaN and Infinity are read as numbers so the reason can say which metric is not finite
            root = Json.MAPPER.reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).readTree(Files.readAllBytes(resultFile));
        } catch (IOException e) {
            return failure(resultFile.getFileName() + " is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            return failure(resultFile.getFileName() + " is not a JSON object");
        }
        JsonNode metrics = root.get("metrics");
        if (metrics == null || !metrics.isObject()) {
            return failure(resultFile.getFileName() + " has no metrics object");
        }
        if (metrics.isEmpty()) {
            return failure(resultFile.getFileName() + " has an empty metrics object");
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            JsonNode v = m.getValue();
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                return failure("metric " + m.getKey() + " is not a finite number: " + abbreviate(v.toString()));
            }
            values.put(m.getKey(), v.asDouble());
        }
        return new ResultCheck(Map.copyOf(values), null);
    }

    private static ResultCheck failure(String problem) {
        return new ResultCheck(Map.of(), problem);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
