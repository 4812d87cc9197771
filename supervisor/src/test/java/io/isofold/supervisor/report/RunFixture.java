package io.isofold.supervisor.report;

import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import io.isofold.supervisor.journal.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds runs for tests the way the run loop will: attempt directories on disk, real progress files. */
final class RunFixture {
    static final Instant T0 = Instant.parse("2025-03-01T20:00:00Z");

    final Path outDir;
    final int folds;
    final int requestedPerModel;
    final List<String> models;
    final List<String> slots;
    final List<AttemptView> attempts = new ArrayList<>();
    Instant ended = null;
    MetricGoals goals = MetricGoals.NONE;
    List<RunView.Session> sessions = List.of();
    Map<String, String> quarantined = Map.of();

    RunFixture(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots) {
        this.outDir = outDir;
        this.folds = folds;
        this.requestedPerModel = requestedPerModel;
        this.models = models;
        this.slots = slots;
    }

    /** Adds a finished attempt. Replicate ids: model position * 1000 + index. */
    AttemptView add(String model, int index, int attempt, String slot, double startSeconds, double endSeconds,
            String verdict, String reason, Map<String, Double> metrics) {
        return attempt(model, index, attempt, slot, startSeconds, endSeconds, verdict, reason, metrics);
    }

    AttemptView running(String model, int index, int attempt, String slot, double startSeconds) {
        return attempt(model, index, attempt, slot, startSeconds, null, "running", null, null);
    }

    /** An attempt the supervisor lost in a crash: it has a verdict, but its end is unknown. */
    AttemptView lost(String model, int index, int attempt, String slot, double startSeconds) {
        return attempt(model, index, attempt, slot, startSeconds, null, "supervisor-lost",
                "supervisor died while it ran", null);
    }

    private AttemptView attempt(String model, int index, int attempt, String slot, double startSeconds,
            Double endSeconds, String verdict, String reason, Map<String, Double> metrics) {
        int replicate = models.indexOf(model) * 1000 + index;
        Path dir = outDir.resolve("replicates").resolve(String.valueOf(replicate)).resolve("attempt-" + attempt);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String gpu = slot.startsWith("gpu") ? slot.substring(3, slot.indexOf('/')) : "cpu";
        AttemptView a = new AttemptView(replicate, model, index, index % folds, index / folds, attempt, slot, gpu,
                at(startSeconds), endSeconds == null ? null : at(endSeconds),
                verdict == null || verdict.equals("running") ? null : Verdict.of(verdict),
                reason, "completed".equals(verdict) ? Integer.valueOf(0) : null,
                metrics == null ? Map.of() : metrics, outDir, null);
        attempts.add(a);
        return a;
    }

    AttemptView completed(String model, int index, String slot, double start, double end, double accuracy,
            double loss) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("val_accuracy", accuracy);
        metrics.put("val_loss", loss);
        return add(model, index, 1, slot, start, end, "completed", null, metrics);
    }

    /** Writes a progress file: a batch heartbeat within every epoch, then the epoch's line. */
    static void writeProgress(AttemptView a, double... valLosses) {
        StringBuilder lines = new StringBuilder();
        try {
            for (int e = 0; e < valLosses.length; e++) {
                lines.append(Json.MAPPER.writeValueAsString(
                        new ProgressEvent(e + 1, 50, 100, 0.9, 0.5, null, null, e * 10 + 5.0))).append('\n');
                lines.append(Json.MAPPER.writeValueAsString(new ProgressEvent(e + 1, null, null, valLosses[e] + 0.05,
                        0.8, valLosses[e], 0.85, e * 10 + 10.0))).append('\n');
            }
            Files.writeString(a.attemptDir().resolve("progress.jsonl"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends end-of-epoch lines from epoch {@code first} on, with these validation losses. */
    static void writeProgressAppend(AttemptView a, int first, double... valLosses) {
        StringBuilder lines = new StringBuilder();
        try {
            for (int e = 0; e < valLosses.length; e++) {
                lines.append(Json.MAPPER.writeValueAsString(new ProgressEvent(first + e, null, null, valLosses[e] + 0.05,
                        0.8, valLosses[e], 0.85, e * 10 + 10.0))).append('\n');
            }
            Files.writeString(a.attemptDir().resolve("progress.jsonl"), lines, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RunView view() {
        return new RunView(outDir, folds, requestedPerModel, models, slots, T0, ended, attempts, quarantined, goals,
                sessions);
    }

    static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    /**
     * Two models, 3 folds, 3 replicates each, finished. cnn: val_accuracy 0.90, 0.92, 0.94 (index 1 after a
     * failed first attempt); mlp: 0.88, 0.89, 0.87, plus a timeout and an interrupted attempt. mlp index 2 also
     * reports "auc", which cnn does not.
     */
    static RunFixture twoModels(Path outDir) {
        RunFixture run = new RunFixture(outDir, 3, 3, List.of("cnn", "mlp"), List.of("gpu0/0", "gpu1/0"));
        run.completed("cnn", 0, "gpu0/0", 0, 100, 0.90, 0.30);
        run.add("cnn", 1, 1, "gpu1/0", 0, 20, "failed", "exit 1", null);
        run.add("cnn", 1, 2, "gpu1/0", 20, 130.5, "completed", null, Map.of("val_accuracy", 0.92, "val_loss", 0.28));
        run.completed("cnn", 2, "gpu0/0", 100, 210, 0.94, 0.26);
        run.completed("mlp", 0, "gpu1/0", 130.5, 190, 0.88, 0.35);
        run.add("mlp", 1, 1, "gpu0/0", 210, 240, "timeout", "timeout after 30s", null);
        run.add("mlp", 1, 2, "gpu1/0", 240, 250, "interrupted", "killed by SIGTERM", null);
        run.add("mlp", 1, 3, "gpu1/0", 260, 300, "completed", null, Map.of("val_accuracy", 0.89, "val_loss", 0.33));
        run.add("mlp", 2, 1, "gpu0/0", 240, 290.25, "completed", null,
                Map.of("val_accuracy", 0.87, "val_loss", 0.36, "auc", 0.951));
        run.ended = at(300);
        return run;
    }
}
