package io.isofold.supervisor.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.isofold.shared.Json;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;

/**
 * A variant's param value as text: what {@code {param.NAME}} substitutes, and how a number is written
 * in ISOFOLD_PARAMS. A fraction is written in plain notation with its shortest digits ({@code 0.0001},
 * not {@code 1.0E-4}), so a value typed as {@code --param lr=0.0001} reads the same everywhere, also
 * after a resume has read it back from run.json as a double.
 */
public final class ParamText {
    private ParamText() {}

    public static String of(Object value) {
        if (value instanceof Double d) {
            return plain(d);
        }
        if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
            try {
                return Json.MAPPER.writeValueAsString(value); // a --models file may give a list or an object
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e); // JSON values always serialise
            }
        }
        return String.valueOf(value);
    }

    /** The shortest digits that read back as {@code d}, in plain notation, with at least one decimal. */
    private static String plain(double d) {
        if (!Double.isFinite(d)) {
            return Double.toString(d);
        }
        String s = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
    }
}
