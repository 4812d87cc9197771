package io.isofold.supervisor.cli;

import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.spec.ParamText;
import io.isofold.supervisor.spec.BadInput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code --param lr=0.1,0.01 --param batch=32,64}: one named variant per combination, e.g. {@code lr-0.1_batch-32}.
 *
 * <p>A value is kept as it was typed: in the variant's name and in {@code {param.NAME}}. In ISOFOLD_PARAMS a
 * param's values are JSON numbers when every one of them reads back exactly as typed ({@code 32}, {@code 0.1},
 * {@code 0.0001}, {@code 2.0}), and strings otherwise ({@code 1.10}, {@code 007}, {@code 1e-3}, an id longer
 * than 2^53), so a worker gets one type per param, and never a number that prints differently from what the
 * user wrote.
 */
final class ParamGrid {
    private static final String ALPHABET = "[A-Za-z0-9_.-]+";
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?");
    /** Whole numbers every JSON reader holds exactly (JavaScript's doubles included). */
    private static final long MAX_EXACT_INTEGER = 1L << 53;

    private ParamGrid() {}

    static List<ModelConfig> variants(List<String> params) throws BadInput {
        List<Map<String, Object>> grid = new ArrayList<>();
        grid.add(new LinkedHashMap<>());
        Set<String> names = new HashSet<>();
        for (String p : params) {
            int eq = p.indexOf('=');
            String name = eq < 0 ? "" : p.substring(0, eq).trim();
            if (eq < 0 || !name.matches(ALPHABET) || p.substring(eq + 1).isBlank()) {
                throw new BadInput("--param '" + p + "': expected NAME=VALUE[,VALUE...], e.g. lr=0.1,0.01");
            }
            if (!names.add(name)) {
                throw new BadInput("--param " + name + " is given twice; give all its values in one: --param "
                        + name + "=V1,V2");
            }
            List<Object> values = values(p, p.substring(eq + 1));
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : grid) {
                for (Object v : values) {
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(name, v);
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
            values.forEach((k, v) -> parts.add(k + "-" + ParamText.of(v)));
            variants.add(ModelConfig.custom(String.join("_", parts), values));
        }
        return variants;
    }

    /** One param's values: all numbers, or all the strings typed. */
    private static List<Object> values(String param, String list) throws BadInput {
        List<String> texts = new ArrayList<>();
        // -1: a trailing comma is an empty value, refused, not a value silently dropped
        for (String v : list.split(",", -1)) {
            String t = v.trim();
            if (!t.matches(ALPHABET)) {
                throw new BadInput("--param '" + param + "': value '" + v + "' must be letters, digits, '.', '_' or '-'"
                        + " (it becomes part of the variant's name)");
            }
            if (texts.contains(t)) {
                throw new BadInput("--param '" + param + "': value '" + t + "' is given twice");
            }
            texts.add(t);
        }
        List<Object> numbers = new ArrayList<>();
        for (String t : texts) {
            Object n = number(t);
            if (n == null) {
                return List.copyOf(texts);
            }
            numbers.add(n);
        }
        return numbers;
    }

    /** The number {@code text} is when a JSON reader gets it back exactly as typed; null when it is not. */
    private static Object number(String text) {
        if (!PLAIN_NUMBER.matcher(text).matches()) {
            return null; // leading zeros, a '+', an exponent: a reader would print it otherwise
        }
        if (text.indexOf('.') < 0) {
            try {
                long n = Long.parseLong(text);
                return Math.abs(n) <= MAX_EXACT_INTEGER && Long.toString(n).equals(text) ? n : null;
            } catch (NumberFormatException tooLong) {
                return null;
            }
        }
        double d = Double.parseDouble(text);
        return ParamText.of(d).equals(text) ? d : null;
    }
}
