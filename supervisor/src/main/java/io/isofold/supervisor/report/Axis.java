package io.isofold.supervisor.report;

import java.util.ArrayList;
import java.util.List;

/** A linear map from data to pixels, with tick positions at round numbers. */
record Axis(double lo, double hi, double pixelLo, double pixelHi) {

    Axis {
        // a range below double precision's reach of its values is flat too: ticks stepping by less than
        // one ulp would never advance
        if (!(hi - lo > 1e-9 * Math.max(1, Math.max(Math.abs(lo), Math.abs(hi))))) {
            // a flat range (one value, or equal values) still needs a visible axis around it
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.05;
            lo -= pad;
            hi += pad;
        }
    }

    double pixel(double value) {
        return pixelLo + (value - lo) / (hi - lo) * (pixelHi - pixelLo);
    }

    /** Ticks at 1, 2 or 5 times a power of ten, about {@code count} of them, inside [lo, hi]. */
    List<Double> ticks(int count) {
        double step = niceStep((hi - lo) / Math.max(1, count));
        List<Double> ticks = new ArrayList<>();
        // each tick from its own multiple: adding step repeatedly accumulates rounding (0.30000000000000004)
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
            ticks.add(k * step);
        }
        return ticks;
    }

    static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / power;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * power;
    }

    /** Ticks for seconds: steps people read on a clock (10 s, 1 min, 15 min, 1 h...) rather than 20000 s. */
    List<Double> timeTicks(int count) {
        double rough = (hi - lo) / Math.max(1, count);
        double[] steps = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
        // beyond the table (runs of weeks): whole days, still about count ticks
        double step = Math.ceil(rough / 86400) * 86400;
        for (double s : steps) {
            if (s >= rough) {
                step = s;
                break;
            }
        }
        List<Double> ticks = new ArrayList<>();
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9; k++) {
            ticks.add(k * step);
        }
        return ticks;
    }

    /** Tick label with just enough decimals for the tick spacing. */
    static String label(double value, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A clock offset: 0:45, 12:05, 1:02:03. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        if (s < 3600) {
            return String.format(java.util.Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        return String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }
}
