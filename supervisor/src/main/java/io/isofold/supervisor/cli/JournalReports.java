package io.isofold.supervisor.cli;

import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.report.RunReport;
import io.isofold.supervisor.report.RunView;
import io.isofold.supervisor.report.RunViews;
import io.isofold.supervisor.schedule.RunLoop;
import io.isofold.supervisor.spec.RunSpec;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Feeds the run loop's attempts to the reports: results.csv, summary.json and report.html. */
final class JournalReports implements RunLoop.ReportSink {
    private final RunSpec spec;
    private final List<String> models;
    private final List<String> slots;
    private volatile RunView last;

    JournalReports(RunSpec spec, List<Slot> slots) {
        this.spec = spec;
        this.models = spec.models().stream().map(ModelConfig::name).toList();
        this.slots = slots.stream().map(Slot::label).toList();
    }

    @Override
    public void write(List<AttemptRecord> attempts, Instant runStart, Instant runEnd, Map<String, String> quarantined)
            throws IOException {
        RunView view = RunViews.of(spec.outDir(), spec.folds(), spec.replicates(), models, slots, runStart, runEnd,
                attempts, quarantined);
        last = view;
        RunReport.writeAll(view);
    }

    /** The end-of-run table, from the last view the loop handed over (its final one, once the run is over). */
    String summaryTable() {
        RunView view = last;
        return view == null ? "(no attempt ran)" : RunReport.summaryTable(view);
    }
}
