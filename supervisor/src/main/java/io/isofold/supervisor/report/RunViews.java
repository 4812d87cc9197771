package io.isofold.supervisor.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.JournalReader;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Builds the reports' view of a run: from the run loop's live state, or from the files of a run directory. */
public final class RunViews {
    private RunViews() {}

    public static RunView of(Path outDir, int folds, int perModel, List<String> models, List<String> slots,
            Instant started, Instant ended, Collection<AttemptRecord> attempts, Map<String, String> quarantined) {
        List<AttemptView> views = new ArrayList<>(attempts.size());
        Map<String, String> declared = new LinkedHashMap<>();
        for (AttemptRecord a : attempts) {
            Outcome o = a.outcome();
            views.add(new AttemptView(a.id().replicate(), a.id().model(), a.id().index(), a.id().fold(),
                    a.id().shuffle(), a.id().attempt(), a.slot(), a.gpu(), a.started(), o == null ? null : o.ended(),
                    o == null ? null : o.verdict(), o == null ? null : o.reason(), o == null ? null : o.exitCode(),
                    o == null ? Map.of() : o.metrics(), outDir, o == null ? null : o.stderrTail(), a.standbySince(),
                    o == null ? null : o.continuedFrom()));
            if (o != null && o.completed()) {
                // the first declaration of each metric, in launch order: as the journal keeps them
                o.directions().forEach(declared::putIfAbsent);
            }
        }
        return new RunView(outDir, folds, perModel, models, slots, started, ended, views, quarantined)
                .withDeclared(declared);
    }

    /** A run directory's journal replayed once: the attempts' history and the supervisors' sessions. */
    public record Journal(RunHistory history, SupervisorSessions sessions, List<String> warnings) {}

    /** Reads the journal in one streaming pass, for {@link RunHistory} and the sessions alike. */
    public static Journal read(Path outDir) throws IOException {
        RunHistory history = RunHistory.empty();
        SupervisorSessions sessions = new SupervisorSessions();
        List<String> warnings = JournalReader.read(new RunFiles(outDir).journal(), e -> {
            history.apply(e);
            sessions.accept(e);
        });
        return new Journal(history, sessions, warnings);
    }

    /**
     * Reads a run directory: run.json for the spec, the journal (in one streaming pass) for the
     * attempts. An attempt with no end is shown as running when {@code supervisorAlive}, else as lost.
     */
    public static RunView load(Path outDir, boolean supervisorAlive) throws IOException {
        return load(outDir, read(outDir), supervisorAlive);
    }

    /** As {@link #load(Path, boolean)}, from a journal already read; "took" then counts supervisor sessions only. */
    public static RunView load(Path outDir, Journal journal, boolean supervisorAlive) throws IOException {
        return load(outDir, journal.history(), supervisorAlive)
                .withSessions(journal.sessions().sessions(supervisorAlive));
    }

    /** Without the sessions: the run's time is then the wall time from its first start. */
    public static RunView load(Path outDir, RunHistory history, boolean supervisorAlive) throws IOException {
        Path runJson = new RunFiles(outDir).runJson();
        if (!Files.isRegularFile(runJson)) {
            throw new IOException(outDir + " holds no isofold run (no run.json)");
        }
        JsonNode spec = Json.MAPPER.readTree(runJson.toFile());
        List<String> models = new ArrayList<>();
        spec.path("models").forEach(m -> models.add(m.path("name").asText()));
        TreeSet<String> slots = new TreeSet<>();
        for (AttemptRecord a : history.attempts()) {
            if (a.slot() != null) {
                slots.add(a.slot());
            }
        }
        Instant ended = null;
        if (!supervisorAlive) {
            ended = history.lastRunEnd() != null ? Instant.parse(history.lastRunEnd().time()) : history.lastEvent();
            if (ended == null) {
                // no journal, or nothing in it: no supervisor has run it (or its journal was lost). Not running,
                // as of when its spec was written
                ended = Files.getLastModifiedTime(runJson).toInstant();
            }
        }
        List<AttemptRecord> shown = new ArrayList<>(history.attempts().size());
        for (AttemptRecord a : history.attempts()) {
            shown.add(a.running() && !supervisorAlive ? a.ended(new Outcome(ended, Verdict.SUPERVISOR_LOST,
                    "the supervisor is not running", null, Map.of(), null, null)) : a);
        }
        List<String> goals = new ArrayList<>();
        spec.path("metrics").forEach(g -> goals.add(g.asText()));
        return of(outDir, spec.path("folds").asInt(), spec.path("replicates").asInt(), models, List.copyOf(slots),
                history.firstStart(), ended, shown, history.quarantined()).withGoals(MetricGoals.parse(goals))
                .withRace(RaceView.of(spec, history.eliminated()))
                .withParams(VariantParams.ofModels(spec.path("models")));
    }
}
