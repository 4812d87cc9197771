package io.isofold.supervisor.cli;

import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.progress.Console;
import io.isofold.supervisor.report.RunReport;
import io.isofold.supervisor.report.RunView;
import io.isofold.supervisor.report.RunViews;
import io.isofold.supervisor.report.Summary;
import io.isofold.supervisor.report.SummaryTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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
        Path out = dir.toAbsolutePath().normalize();
        try {
            RunViews.Journal journal = RunViews.read(out);
            RunView view = RunViews.load(out, journal, RunLock.liveSupervisor(journal.history()).isPresent());
            // the summary of the files, not a second one: with many metrics each costs seconds
            Summary summary = RunReport.writeAll(view);
            Console.get().line(SummaryTable.render(summary));
            Console.get().line("report: " + new RunFiles(out).reportHtml());
            Console.get().close(Duration.ofSeconds(3));
            return 0;
        } catch (IOException e) {
            return RunExecution.badInput(e.getMessage());
        }
    }
}
