package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.JournalReader;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.report.MetricGoals;
import io.isofold.supervisor.report.RaceView;
import io.isofold.supervisor.report.RunReport;
import io.isofold.supervisor.report.RunView;
import io.isofold.supervisor.report.RunViews;
import io.isofold.supervisor.report.SupervisorSessions;
import io.isofold.supervisor.report.VariantParams;
import io.isofold.supervisor.report.ReportSchedule;
import io.isofold.supervisor.spec.RunSpec;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Feeds the run loop's attempts to the reports: results.csv, summary.json and report.html. */
final class JournalReports implements ReportSchedule.Sink {
    private static final Logger log = LoggerFactory.getLogger(JournalReports.class);

    private final RunSpec spec;
    private final List<String> models;
    private final List<String> slots;
    private final MetricGoals goals;
    /** Each variant's settings, as the reports show them. */
    private final Map<String, Map<String, String>> params;
    /** The sessions of earlier supervisors, closed, then this one's, open; empty when the journal could not be read. */
    private final List<RunView.Session> sessions;
    /** run.json's race settings (null when the run does not race), with the journal's eliminations. */
    private final JsonNode runJson;
    private final List<JournalEvent.Eliminated> eliminated = new CopyOnWriteArrayList<>();
    private volatile RunView last;

    /** Made once the run's journal holds this supervisor's run-start (after RunSetup.prepare). */
    JournalReports(RunSpec spec, List<Slot> slots) {
        this.spec = spec;
        this.models = spec.models().stream().map(ModelConfig::name).toList();
        this.slots = slots.stream().map(Slot::label).toList();
        this.goals = MetricGoals.of(spec.options().metrics());
        this.params = VariantParams.ofModels(Json.MAPPER.valueToTree(spec.models()));
        this.sessions = readJournal(spec);
        this.runJson = runJson(spec);
    }

    /**
     * The journal's sessions, so that the report's "took" counts the time a supervisor ran, over resumes too;
     * and, in the same pass, the race's eliminations so far.
     */
    private List<RunView.Session> readJournal(RunSpec spec) {
        SupervisorSessions sessions = new SupervisorSessions();
        try {
            JournalReader.read(new RunFiles(spec.outDir()).journal(), e -> {
                sessions.accept(e);
                if (e instanceof JournalEvent.Eliminated x) {
                    eliminated.add(x);
                }
            });
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read the journal's sessions; the report counts wall time instead", e);
            return List.of();
        }
        return sessions.sessions(true);
    }

    /** run.json as this supervisor wrote it (its race settings); null when it cannot be read. */
    private static JsonNode runJson(RunSpec spec) {
        try {
            return Json.MAPPER.readTree(new RunFiles(spec.outDir()).runJson().toFile());
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read run.json; the report shows no race", e);
            return null;
        }
    }

    /**
     * The run loop journaled an elimination: the reports written from now on show it. Call it after the
     * journal line is written, from any thread.
     */
    @Override
    public void eliminated(JournalEvent.Eliminated e) {
        eliminated.add(e);
    }

    @Override
    public void write(List<AttemptRecord> attempts, Instant runStart, Instant runEnd, Map<String, String> quarantined)
            throws IOException {
        RunView view = RunViews.of(spec.outDir(), spec.folds(), spec.replicates(), models, slots, runStart, runEnd,
                attempts, quarantined).withGoals(goals).withSessions(sessionsUntil(runEnd))
                .withRace(RaceView.of(runJson, List.copyOf(eliminated))).withParams(params);
        last = view;
        RunReport.writeAll(view);
    }

    /** This supervisor's session ends with the run's end once there is one. */
    private List<RunView.Session> sessionsUntil(Instant runEnd) {
        if (runEnd == null || sessions.isEmpty()) {
            return sessions;
        }
        List<RunView.Session> ended = new ArrayList<>(sessions);
        RunView.Session current = ended.get(ended.size() - 1);
        ended.set(ended.size() - 1, new RunView.Session(current.start(), runEnd));
        return ended;
    }

    /** The end-of-run table, from the last view the loop handed over (its final one, once the run is over). */
    String summaryTable() {
        RunView view = last;
        return view == null ? "(no attempt ran)" : RunReport.summaryTable(view);
    }
}
