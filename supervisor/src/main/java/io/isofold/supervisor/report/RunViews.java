package io.isofold.supervisor.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.JournalReader;
import io.isofold.supervisor.journal.RunHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Builds the reports' view of a run: from the run loop's live state, or from the files of a run directory. */
public final class RunViews {
    private RunViews() {}

    public static RunView of(Path outDir, int folds, int perModel, List<String> models, List<String> slots,
            Instant started, Instant ended, List<AttemptRecord> attempts) {
        List<AttemptView> views = new ArrayList<>(attempts.size());
        for (AttemptRecord a : attempts) {
            views.add(new AttemptView(a.id().replicate(), a.id().model(), a.id().index(), a.id().fold(),
                    a.id().shuffle(), a.id().attempt(), a.slot(), a.gpu(), a.started(), a.ended(),
                    a.verdict() == null ? Verdicts.RUNNING : a.verdict().label(), a.reason(), a.exitCode(),
                    a.metrics(), a.attemptDir() == null ? null : Path.of(a.attemptDir())));
        }
        return new RunView(outDir, folds, perModel, models, slots, started, ended, views);
    }

    /**
     * Reads a run directory: run.json for the spec, the journal for the attempts. An attempt with no
     * end is shown as running when {@code supervisorAlive}, else as lost.
     */
    public static RunView load(Path outDir, boolean supervisorAlive) throws IOException {
        Path runJson = outDir.resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            throw new IOException(outDir + " holds no isofold run (no run.json)");
        }
        JsonNode spec = Json.MAPPER.readTree(runJson.toFile());
        List<String> models = new ArrayList<>();
        spec.path("models").forEach(m -> models.add(m.path("name").asText()));
        RunHistory history = RunHistory.replay(JournalReader.read(outDir.resolve("journal.jsonl")).events());
        TreeSet<String> slots = new TreeSet<>();
        List<AttemptRecord> attempts = new ArrayList<>();
        for (AttemptRecord a : history.attempts()) {
            if (a.slot() != null) {
                slots.add(a.slot());
            }
            attempts.add(a);
        }
        Instant ended = null;
        if (!supervisorAlive && history.lastRunEnd() != null) {
            ended = Instant.parse(history.lastRunEnd().time());
        } else if (!supervisorAlive) {
            ended = attempts.stream().map(a -> a.ended() != null ? a.ended() : a.started()).max(Instant::compareTo)
                    .orElse(history.firstStart());
        }
        List<AttemptRecord> shown = new ArrayList<>();
        for (AttemptRecord a : attempts) {
            shown.add(a.running() && !supervisorAlive ? a.lost(ended) : a);
        }
        return of(outDir, spec.path("folds").asInt(), spec.path("replicates").asInt(), models, List.copyOf(slots),
                history.firstStart(), ended, shown);
    }
}
