package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.ExitStatus;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Rebuilds results.csv, summary.json and report.html of a run from its journal. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rewrite results.csv, summary.json and report.html of a run from its journal, and print the summary.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The run's output directory.")
    Path dir;

    @Option(names = "--all-pairs", description = "Compare every pair of variants (p adjusted by Holm's method over"
            + " all of them), not each variant with the best.")
    boolean allPairs;

    @Override
    public Integer call() {
        Path out = dir.toAbsolutePath().normalize();
        try {
            RunViews.Journal journal = RunViews.read(out);
            // a run held on another host (or in another container) is taken to run: never rewritten as stopped
            RunLock.Holder holder = RunLock.holder(out, journal.history()).orElse(null);
            RunView view = RunViews.load(out, journal, holder != null);
            // the summary of the files, not a second one: with many metrics each costs seconds
            Summary summary = RunReport.writeAll(view, java.time.Instant.now(), allPairs);
            Console.get().line(SummaryTable.render(summary, allPairs));
            if (holder != null && !holder.checked()) {
                Console.get().line("the run is held by supervisor pid " + holder.pid() + " on " + holder.host()
                        + ", which cannot be checked from here: it is shown as running");
            } else if (journal.history().lastRunStart() == null) {
                Console.get().line("no supervisor has started this run (" + RunFiles.JOURNAL
                        + " is missing or holds no start): it is shown as stopped");
            }
            Console.get().line("report: " + new RunFiles(out).reportHtml());
            Console.get().close(Duration.ofSeconds(3));
            return ExitStatus.COMPLETE.code();
        } catch (IOException e) {
            return RunExecution.badInput(e.getMessage());
        }
    }
}
