package io.isofold.supervisor.cli;

import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.spec.BadInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --param lr=0.1,0.01 --param batch=32,64}: one named variant per combination, e.g. {@code lr-0.1_batch-32}. */
final class ParamGrid {
    private ParamGrid() {}

    static List<ModelConfig> variants(List<String> params) throws BadInput {
        List<Map<String, Object>> grid = new ArrayList<>();
        grid.add(new LinkedHashMap<>());
        for (String p : params) {
            int eq = p.indexOf('=');
            String name = eq < 0 ? "" : p.substring(0, eq).trim();
            if (eq < 0 || !name.matches("[A-Za-z0-9_.-]+") || p.substring(eq + 1).isBlank()) {
                throw new BadInput("--param '" + p + "': expected NAME=VALUE[,VALUE...], e.g. lr=0.1,0.01");
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : grid) {
                for (String v : p.substring(eq + 1).split(",")) {
                    if (v.isBlank() || !v.trim().matches("[A-Za-z0-9_.+-]+")) {
                        throw new BadInput("--param '" + p + "': value '" + v + "' must be letters, digits, '.', '_', '+' or '-'");
                    }
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(name, value(v.trim()));
                    next.add(m);
                }
            }
            grid = next;
            if (grid.size() > 1000) {
                throw new BadInput("--param makes more than 1000 variants");
            }
        }
        List<ModelConfig> variants = new ArrayList<>();
        for (Map<String, Object> values : grid) {
            List<String> parts = new ArrayList<>();
            values.forEach((k, v) -> parts.add(k + "-" + v));
            variants.add(ModelConfig.custom(String.join("_", parts), values));
        }
        return variants;
    }

    /** Numbers stay numbers in ISOFOLD_PARAMS, so a worker reads {"lr": 0.1}, not {"lr": "0.1"}. */
    private static Object value(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException notLong) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException notNumber) {
                return v;
            }
        }
    }
}
