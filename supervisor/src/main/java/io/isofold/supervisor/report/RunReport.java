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
        Summary summary = Summary.of(view);
        ResultsCsv.write(view);
        SummaryJson.write(summary, view.outDir());
        ReportPage.write(view, summary, now);
        return summary;
    }

    /** The few lines to print at the end of a run. */
    public static String summaryTable(RunView view) {
        return SummaryTable.render(Summary.of(view));
    }
}
