package io.isofold.worker.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Reads the two sides of the seed benchmark, prints the time per model at models 1, 10, 50 and 100 and the
 * ratio last / first for each series, and draws them as a small self-contained SVG line chart.
 *
 * <pre>SeedCurveReport LOOP_CSV ISOFOLD_RESULTS_CSV SVG</pre>
 *
 * LOOP_CSV is {@code SeedCurve --loop}'s output; ISOFOLD_RESULTS_CSV is the run's results.csv, where replicate r
 * is model r + 1 and the columns {@code duration_s} (the attempt, as the supervisor timed it), {@code seconds} and
 * {@code process_seconds} (from {@code SeedCurve --one}) give three series.
 */
public final class SeedCurveReport {
    static final int[] MARKS = {1, 10, 50, 100};
    /** Line colours, one per series, distinguishable in grey scale too. */
    private static final String[] COLOURS = {"#c0392b", "#1f5fa8", "#2e8b57", "#8e44ad"};

    /**
     * One line of the chart: seconds per model, model 1 first.
     *
     * @param colour index into the palette: a wall-time series and its CPU-time twin share one, the twin dashed
     */
    record Series(String label, double[] seconds, int colour, boolean dashed) {
        Series(String label, double[] seconds) {
            this(label, seconds, 0, false);
        }

        double at(int model) {
            return model <= seconds.length ? seconds[model - 1] : Double.NaN;
        }

        /** Median of the five models around {@code model}: one busy moment of a shared machine moves it less. */
        double around(int model) {
            if (model > seconds.length) {
                return Double.NaN;
            }
            int from = Math.max(1, Math.min(model - 2, seconds.length - 4));
            int to = Math.min(seconds.length, from + 4);
            double[] w = Arrays.copyOfRange(seconds, from - 1, to);
            Arrays.sort(w);
            return w.length == 0 ? Double.NaN : w[w.length / 2];
        }
    }

    private SeedCurveReport() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: SeedCurveReport LOOP_CSV ISOFOLD_RESULTS_CSV SVG");
            System.exit(2);
        }
        List<Series> series = new ArrayList<>();
        Path loop = Path.of(args[0]);
        Path results = Path.of(args[1]);
        series.add(new Series("loop, one graph: wall", column(loop, "model", "seconds"), 0, false));
        series.add(new Series("loop, one graph: CPU", column(loop, "model", "cpu_seconds"), 0, true));
        series.add(new Series("isofold, whole attempt: wall", column(results, "replicate", "duration_s"), 1, false));
        series.add(new Series("isofold, worker JVM: CPU", column(results, "replicate", "process_cpu_seconds"), 1, true));
        series.add(new Series("isofold, model in its JVM: wall", column(results, "replicate", "seconds"), 2, false));
        series.add(new Series("isofold, model in its JVM: CPU", column(results, "replicate", "cpu_seconds"), 2, true));
        System.out.print(table(series));
        write(Path.of(args[2]), svg(series));
    }

    /** 1, 10, 50, 100 where the series are that long, and the last model where they are shorter. */
    static int[] marks(List<Series> series) {
        int last = series.stream().mapToInt(s -> s.seconds().length).max().orElse(1);
        return java.util.stream.IntStream.concat(Arrays.stream(MARKS).filter(m -> m < last),
                java.util.stream.IntStream.of(Math.min(last, MARKS[MARKS.length - 1]))).distinct().toArray();
    }

    static String table(List<Series> series) {
        int[] marks = marks(series);
        int last = marks[marks.length - 1];
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-32s", "seconds per model at model"));
        for (int m : marks) {
            b.append(String.format(Locale.ROOT, "%9d", m));
        }
        b.append(String.format(Locale.ROOT, "%10s%16s%n", last + "/1", "median " + last + "/1"));
        for (Series s : series) {
            b.append(String.format(Locale.ROOT, "%-32s", s.label()));
            for (int m : marks) {
                b.append(String.format(Locale.ROOT, "%9.3f", s.at(m)));
            }
            b.append(String.format(Locale.ROOT, "%10.2f%16.2f%n", s.at(last) / s.at(1),
                    s.around(last) / s.around(1)));
        }
        b.append("(median: of the five models around a mark, models 1 to 5 for model 1, the last five for the last)\n");
        return b.toString();
    }

    /** A line chart in plain SVG 1.1: axes, ticks, one polyline per series, a legend. */
    static String svg(List<Series> series) {
        int w = 640;
        int legendRows = (series.size() + 1) / 2;
        int left = 56;
        int right = 16;
        int top = 36;
        int bottom = 48 + legendRows * 16; // the axis labels, then the legend in two columns
        int h = 300 + bottom;
        int models = series.stream().mapToInt(s -> s.seconds().length).max().orElse(1);
        double max = series.stream().flatMapToDouble(s -> Arrays.stream(s.seconds())).filter(Double::isFinite)
                .max().orElse(1);
        double step = niceStep(max / 5);
        double yMax = Math.ceil(max / step) * step;
        double pw = w - left - right;
        double ph = h - top - bottom;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h, w, h));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">Seconds per model, "
                + "100 small models trained one after another</text>%n", left));
        for (double v = 0; v <= yMax + step / 2; v += step) {
            double y = top + ph - v / yMax * ph;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, y, w - right, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left - 6, y + 4, trim(v)));
        }
        for (int m : marks(series)) {
            double x = left + (m - 1) / Math.max(1.0, models - 1) * pw;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x, h - bottom + 16, m));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">model</text>%n",
                left + pw / 2, top + ph + 32));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n",
                left, top, left, top + ph));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n",
                left, top + ph, w - right, top + ph));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            StringBuilder points = new StringBuilder();
            for (int m = 1; m <= s.seconds().length; m++) {
                if (Double.isFinite(s.at(m))) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (m - 1) / Math.max(1.0, models - 1) * pw,
                            top + ph - s.at(m) / yMax * ph));
                }
            }
            String colour = COLOURS[s.colour() % COLOURS.length];
            String dash = s.dashed() ? " stroke-dasharray=\"5,3\"" : "";
            b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"%s\"/>%n",
                    colour, dash, points.toString().trim()));
            double ly = top + ph + 52 + (i / 2) * 16;
            int lx = left + (i % 2) * 290;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    lx, ly, lx + 20, ly, colour, dash));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\">%s</text>%n", lx + 26, ly + 4, escape(s.label())));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** 1, 2 or 5 times a power of ten: tick steps a reader can add up. */
    static double niceStep(double rough) {
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** One numeric column of a CSV with a header, ordered by the numeric key column (model number or replicate). */
    static double[] column(Path csv, String key, String value) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
        List<String> header = List.of(lines.get(0).split(","));
        int k = header.indexOf(key);
        int v = header.indexOf(value);
        if (k < 0 || v < 0) {
            throw new IllegalArgumentException(csv + " has no column " + (k < 0 ? key : value) + ": " + header);
        }
        TreeMap<Double, Double> rows = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                String[] f = line.split(",");
                rows.put(Double.parseDouble(f[k]), Double.parseDouble(f[v]));
            }
        }
        return rows.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
