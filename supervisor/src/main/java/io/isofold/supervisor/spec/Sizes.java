package io.isofold.supervisor.spec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses memory sizes as users type them: {@code 512m}, {@code 8g}, {@code 1.5G} (or {@code 1,5G}), {@code 300000k};
 * binary units. Prints them the same in every locale, for run.json.
 */
public final class Sizes {
    // a decimal comma too: what a German user types, and what run.json files of isofold versions that
    // formatted sizes in the default locale hold ("1331,2m")
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15}(?:[.,]\\d{1,9})?)\\s*([kmgt])(?:i?b)?");

    private Sizes() {}

    public static long parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            // a bare number is refused: "8" meaning 8 bytes killed every attempt at once
            throw new IllegalArgumentException("'" + text + "' is not a size with a unit (expected e.g. 512m, 8g)");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40;
        };
        double bytes = Double.parseDouble(m.group(1).replace(',', '.')) * (1L << shift);
        if (bytes < (1 << 20) || bytes > (double) (1L << 50)) {
            throw new IllegalArgumentException("size '" + text + "' is out of range (1m to 1024t)");
        }
        return (long) bytes;
    }

    public static String format(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1fm", bytes / (double) (1L << 20));
        }
        return bytes + "";
    }
}
