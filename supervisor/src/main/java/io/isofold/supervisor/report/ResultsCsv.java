package io.isofold.supervisor.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeSet;

/**
 * results.csv: one row per completed replicate, sorted by replicate id, with
 * {@code replicate,model,fold,attempt,gpu,duration_s} and then one column per metric (sorted union of names,
 * empty where a replicate lacks one).
 */
public final class ResultsCsv {
    public static final String FILE_NAME = "results.csv";

    private ResultsCsv() {}

    public static String render(RunView view) {
        Map<Integer, AttemptView> completed = Summary.completedByReplicate(view.attempts());
        TreeSet<String> metrics = new TreeSet<>();
        completed.values().forEach(a -> metrics.addAll(a.metrics().keySet()));

        StringBuilder csv = new StringBuilder("replicate,model,fold,attempt,gpu,duration_s");
        for (String m : metrics) {
            csv.append(',').append(cell(m));
        }
        csv.append('\n');
        for (AttemptView a : completed.values()) {
            csv.append(a.replicate()).append(',').append(cell(a.model())).append(',').append(a.fold()).append(',')
                    .append(a.attempt()).append(',').append(cell(a.gpu())).append(',')
                    .append(Numbers.seconds(a.durationSeconds(Instant.now())));
            for (String m : metrics) {
                csv.append(',').append(Numbers.exact(a.metrics().get(m)));
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    public static void write(RunView view) throws IOException {
        AtomicFiles.writeString(view.outDir().resolve(FILE_NAME), render(view));
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
