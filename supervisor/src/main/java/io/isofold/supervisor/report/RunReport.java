package io.isofold.supervisor.report;

import java.io.IOException;
import java.time.Instant;

/**
 * The one entry point of the reports: the run loop calls {@link #writeAll} after every finished attempt and
 * once at the end, and prints {@link #summaryTable} when the run ends.
 */
public final class RunReport {
    private RunReport() {}

    /** Writes results.csv, summary.json and report.html into {@code view.outDir()}, each replaced atomically. */
    public static Summary writeAll(RunView view) throws IOException {
        return writeAll(view, Instant.now());
    }

    /** As {@link #writeAll(RunView)}, with the "now" that running attempts are drawn up to. */
    public static Summary writeAll(RunView view, Instant now) throws IOException {
        return writeAll(view, now, false);
    }

    /**
     * @param allPairs the page compares every pair of variants, not each with the best ({@code report --all-pairs});
     *                 summary.json has every pair either way
     */
    public static Summary writeAll(RunView view, Instant now, boolean allPairs) throws IOException {
        Summary summary = Summary.of(view);
        ResultsCsv.write(view);
        SummaryJson.write(summary, view.outDir());
        ReportPage.write(view, summary, now, allPairs);
        return summary;
    }

    /** The few lines to print at the end of a run. */
    public static String summaryTable(RunView view) {
        return SummaryTable.render(Summary.of(view));
    }
}
