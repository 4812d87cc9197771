package io.isofold.supervisor.cli;

import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.report.RunReport;
import io.isofold.supervisor.report.RunViews;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Rebuilds results.csv, summary.json and report.html of a run from its journal. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rewrite results.csv, summary.json and report.html of a run from its journal, and print the summary.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The run's output directory.")
    Path dir;

    @Override
    public Integer call() {
        try {
            var view = RunViews.load(dir.toAbsolutePath().normalize(), RunLock.liveHolder(dir) != null);
            RunReport.writeAll(view);
            System.out.println(RunReport.summaryTable(view));
            System.out.println("report: " + view.outDir().resolve("report.html"));
            return 0;
        } catch (IOException e) {
            System.err.println("isofold: " + e.getMessage());
            return 2;
        }
    }
}
