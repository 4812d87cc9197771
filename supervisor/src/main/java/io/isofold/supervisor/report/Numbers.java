package io.isofold.supervisor.report;

import java.math.BigDecimal;
import java.util.Locale;

/** Number formatting that never depends on the default locale (no decimal commas in a CSV). */
final class Numbers {
    private Numbers() {}

    /** Every digit needed to read the double back, without exponent notation; empty for null or non-finite. */
    static String exact(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return "";
        }
        // Double.toString has every digit needed, and is plain between 1e-3 and 1e7 (most metrics): the
        // same text as BigDecimal's, at a fraction of the cost (results.csv may hold millions of values)
        if (value == 0) {
            return "0.0"; // -0.0 too, as BigDecimal has it
        }
        String shortest = Double.toString(value);
        return shortest.indexOf('E') < 0 ? shortest : BigDecimal.valueOf(value).toPlainString();
    }

    /** Seconds to the millisecond, e.g. 12.345. */
    static String seconds(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return "";
        }
        return BigDecimal.valueOf(Math.round(value * 1000)).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    /**
     * Three significant digits at the scale of {@code scale}: values printed together (a mean and its std, a
     * difference and its interval) share one number of decimals so they line up and compare.
     */
    static String fixed(double value, double scale) {
        return String.format(Locale.ROOT, "%." + decimals(scale) + "f", value);
    }

    static String signed(double value, double scale) {
        String s = fixed(value, scale);
        return value >= 0 && !s.startsWith("-") ? "+" + s : s;
    }

    static int decimals(double scale) {
        double s = Math.abs(scale);
        if (s == 0 || !Double.isFinite(s)) {
            return 3;
        }
        int d = 2 - (int) Math.floor(Math.log10(s));
        return Math.max(0, Math.min(6, d));
    }

    /** {@code p=0.024} or {@code p<0.001}: more digits than that suggest a precision the test does not have. */
    static String pValue(Double p) {
        if (p == null) {
            return "p=n/a";
        }
        String number = pNumber(p);
        return number.startsWith("<") ? "p" + number : "p=" + number;
    }

    static String pNumber(double p) {
        return p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    /** Durations for people: 45s, 12m05s, 3h07m. */
    static String duration(Double seconds) {
        if (seconds == null) {
            return "";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return seconds < 10 ? String.format(Locale.ROOT, "%.1fs", seconds) : s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /**
     * Appends a pixel coordinate with one decimal. The page holds thousands of them (every epoch of every
     * curve); String.format costs a microsecond or more each, this a few nanoseconds.
     */
    static StringBuilder pixel(StringBuilder out, double value) {
        long tenths = Math.round(value * 10);
        if (tenths < 0) {
            out.append('-');
            tenths = -tenths;
        }
        return out.append(tenths / 10).append('.').append(tenths % 10);
    }
}
