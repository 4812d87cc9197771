package io.isofold.supervisor.spec;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the durations users type: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 500ms}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,12}(?:[.,]\\d{1,9})?)(ms|s|m|h|d)");
    /** Longer than any run; a larger value is a typo, and would overflow the clock arithmetic. */
    public static final Duration MAX = Duration.ofDays(365);

    private Durations() {}

    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration (expected e.g. 90s, 30m, 2h)");
        }
        Matcher m = PART.matcher(s);
        long millis = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double value = Double.parseDouble(m.group(1).replace(',', '.')); // 1,5h: a decimal comma
            long unit = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            millis += Math.round(value * unit);
            end = m.end();
        }
        if (end != s.length() || end == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 90s, 30m, 2h, 1h30m)");
        }
        if (millis <= 0) {
            throw new IllegalArgumentException("duration '" + text + "' must be longer than zero");
        }
        if (millis > MAX.toMillis()) {
            throw new IllegalArgumentException("duration '" + text + "' is longer than the limit of 365d");
        }
        return Duration.ofMillis(millis);
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    /** For progress lines: {@code 1h02m}, {@code 4m05s}, {@code 12s}. */
    public static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
