package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.RunFiles;
import io.isofold.shared.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * results.csv: one row per completed replicate, sorted by replicate id, with
 * {@code replicate,model,fold,attempt,gpu,duration_s}, then one column per metric (sorted union of names,
 * empty where a replicate lacks one), then one column per param of the variants ({@code param.lr}, in the
 * order the params were given; empty where a variant lacks one). Never two columns of one name: a metric named
 * like a fixed column ({@code gpu}) is the column {@code metric_gpu}, and summary.json's notes say so; a param
 * whose column a metric already has ({@code param.lr}) gets {@code param.} once more.
 */
public final class ResultsCsv {
    public static final List<String> FIXED_COLUMNS = List.of("replicate", "model", "fold", "attempt", "gpu",
            "duration_s");
    /** What a metric named like a fixed column gets in front of its name, as often as it takes. */
    public static final String PREFIX = "metric_";
    /** What every param's column has in front of its name (more than once, should a metric have taken it). */
    public static final String PARAM_PREFIX = "param.";

    /** Each metric's column, in column order: its own name, or {@code metric_NAME} where that is taken. */
    public static Map<String, String> columns(Collection<String> metricNames) {
        TreeSet<String> sorted = new TreeSet<>(metricNames);
        Set<String> taken = new HashSet<>(FIXED_COLUMNS);
        Map<String, String> columns = new LinkedHashMap<>();
        // metrics that keep their name first: a metric really called metric_gpu keeps it, gpu becomes metric_metric_gpu
        for (String m : sorted) {
            if (!FIXED_COLUMNS.contains(m)) {
                taken.add(m);
            }
        }
        for (String m : sorted) {
            String column = m;
            if (FIXED_COLUMNS.contains(m)) {
                do {
                    column = PREFIX + column;
                } while (taken.contains(column));
                taken.add(column);
            }
            columns.put(m, column);
        }
        return columns;
    }

    /**
     * Each param's column, in the order given: {@code param.NAME}, with {@code param.} added again while a fixed
     * or a metric column has that name.
     */
    public static Map<String, String> paramColumns(Collection<String> paramNames, Collection<String> metricNames) {
        Set<String> taken = new HashSet<>(FIXED_COLUMNS);
        taken.addAll(columns(metricNames).values());
        Map<String, String> columns = new LinkedHashMap<>();
        for (String p : paramNames) {
            String column = PARAM_PREFIX + p;
            while (taken.contains(column)) {
                column = PARAM_PREFIX + column;
            }
            taken.add(column);
            columns.put(p, column);
        }
        return columns;
    }

    private ResultsCsv() {}

    public static String render(RunView view) {
        StringWriter csv = new StringWriter();
        try {
            writeTo(csv, view);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return csv.toString();
    }

    /** Streamed to the file a row at a time: 10,000 metric columns of 800 replicates are never held as text. */
    public static void write(RunView view) throws IOException {
        AtomicFiles.writeText(new RunFiles(view.outDir()).resultsCsv(), out -> writeTo(out, view));
    }

    private static void writeTo(Writer csv, RunView view) throws IOException {
        Map<Integer, AttemptView> completed = Summary.completedByReplicate(view.attempts());
        // a hash set first: attempts repeat the same names, and a tree set compared every one of them
        Set<String> names = new HashSet<>();
        completed.values().forEach(a -> names.addAll(a.metrics().keySet()));
        Map<String, String> columns = columns(names);
        Set<String> metrics = columns.keySet();
        Map<String, String> params = paramColumns(Summary.paramNames(view), names);
        Instant now = Instant.now();

        csv.write(String.join(",", FIXED_COLUMNS));
        for (String column : columns.values()) {
            csv.write(',');
            csv.write(cell(column));
        }
        for (String column : params.values()) {
            csv.write(',');
            csv.write(cell(column));
        }
        csv.write('\n');
        StringBuilder row = new StringBuilder();
        for (AttemptView a : completed.values()) {
            row.setLength(0);
            row.append(a.replicate()).append(',').append(cell(a.model())).append(',').append(a.fold()).append(',')
                    .append(a.attempt()).append(',').append(cell(a.gpu())).append(',')
                    .append(Numbers.seconds(a.durationSeconds(now)));
            for (String m : metrics) {
                row.append(',').append(Numbers.exact(a.metrics().get(m)));
            }
            Map<String, String> ofModel = view.params().getOrDefault(a.model(), Map.of());
            for (String p : params.keySet()) {
                row.append(',').append(cell(ofModel.get(p)));
            }
            row.append('\n');
            csv.append(row);
        }
    }

    /** RFC 4180 quoting, only where needed: names come from user specs and may hold commas or quotes. */
    static String cell(String text) {
        if (text == null) {
            return "";
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
