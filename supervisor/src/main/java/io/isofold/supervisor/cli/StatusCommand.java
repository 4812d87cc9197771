package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.report.AttemptView;
import io.isofold.supervisor.report.RunView;
import io.isofold.supervisor.report.Summary;
import io.isofold.supervisor.report.RunViews;
import io.isofold.supervisor.spec.Durations;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Where a run stands, from its files: while it runs, or after. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show where a run stands (from its files).")
final class StatusCommand implements Callable<Integer> {
    private static final int FAILURES_SHOWN = 5;

    @Parameters(paramLabel = "DIR", description = "The run's output directory.")
    Path dir;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        Path out = dir.toAbsolutePath().normalize();
        Long pid = RunLock.liveHolder(out);
        RunView view;
        try {
            view = RunViews.load(out, pid != null);
        } catch (IOException e) {
            System.err.println("isofold: " + e.getMessage());
            return 2;
        }
        ObjectNode status = status(view, pid, Instant.now());
        if (json) {
            System.out.println(status.toPrettyString());
        } else {
            System.out.print(text(status));
        }
        return 0;
    }

    static ObjectNode status(RunView view, Long pid, Instant now) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("dir", view.outDir().toString());
        s.put("state", pid != null ? "running" : "stopped");
        if (pid != null) {
            s.put("supervisor_pid", pid);
        }
        // the counts summary.json has, so the two never disagree
        Summary summary = Summary.of(view);
        int required = summary.requested();
        int completed = summary.completed();
        List<AttemptView> attempts = view.attempts();
        List<AttemptView> failed = attempts.stream()
                .filter(a -> !a.running() && !a.completed() && !"interrupted".equals(a.verdict())).toList();
        s.put("required", required);
        s.put("completed", completed);
        s.put("attempts", summary.attempts());
        s.put("failed_attempts", summary.failedAttempts());
        Instant started = view.started();
        if (started != null) {
            s.put("elapsed_s", Duration.between(started, view.ended() != null ? view.ended() : now).toSeconds());
        }
        double meanSeconds = attempts.stream().filter(AttemptView::completed)
                .mapToDouble(a -> a.durationSeconds(now)).average().orElse(Double.NaN);
        int slots = Math.max(1, view.slots().size());
        if (pid != null && !Double.isNaN(meanSeconds)) {
            s.put("eta_s", Math.round(meanSeconds * Math.ceil((required - completed) / (double) slots)));
        }
        ArrayNode running = s.putArray("running");
        for (AttemptView a : attempts) {
            if (!a.running()) {
                continue;
            }
            ObjectNode r = running.addObject();
            r.put("slot", a.slot());
            r.put("replicate", a.replicate());
            r.put("model", a.model());
            r.put("fold", a.fold());
            r.put("attempt", a.attempt());
            r.put("elapsed_s", Math.round(a.durationSeconds(now)));
            ProgressEvent last = lastProgress(a.attemptDir());
            if (last != null) {
                r.put("epoch", last.epoch());
                if (last.loss() != null) {
                    r.put("loss", last.loss());
                }
                if (last.valLoss() != null) {
                    r.put("val_loss", last.valLoss());
                }
            }
        }
        ArrayNode lastFailures = s.putArray("last_failures");
        for (AttemptView a : failed.subList(Math.max(0, failed.size() - FAILURES_SHOWN), failed.size())) {
            ObjectNode f = lastFailures.addObject();
            f.put("replicate", a.replicate());
            f.put("attempt", a.attempt());
            f.put("slot", a.slot());
            f.put("verdict", a.verdict());
            f.put("reason", a.reason());
        }
        return s;
    }

    /** The last whole line of an attempt's progress file; reads only its tail, which may be long. */
    static ProgressEvent lastProgress(Path attemptDir) {
        if (attemptDir == null) {
            return null;
        }
        Path file = attemptDir.resolve("progress.jsonl");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int n = (int) Math.min(length, 8192);
            byte[] tail = new byte[n];
            raf.seek(length - n);
            raf.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                try {
                    return Json.MAPPER.readValue(lines[i], ProgressEvent.class);
                } catch (IOException partialLine) {
                    // the worker is writing it, or the window cut it: try the one before
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static String text(ObjectNode s) {
        StringBuilder b = new StringBuilder();
        b.append(s.get("dir").asText()).append(": ").append(s.get("state").asText());
        if (s.has("supervisor_pid")) {
            b.append(" (supervisor pid ").append(s.get("supervisor_pid").asLong()).append(')');
        }
        b.append('\n');
        b.append(String.format("completed %d/%d, %d attempt(s), %d failed", s.get("completed").asInt(),
                s.get("required").asInt(), s.get("attempts").asInt(), s.get("failed_attempts").asInt()));
        if (s.has("elapsed_s")) {
            b.append(", elapsed ").append(Durations.human(Duration.ofSeconds(s.get("elapsed_s").asLong())));
        }
        if (s.has("eta_s")) {
            b.append(", ETA ").append(Durations.human(Duration.ofSeconds(s.get("eta_s").asLong())));
        }
        b.append('\n');
        for (var r : s.get("running")) {
            b.append(String.format("  %-8s replicate %d (%s, fold %d) attempt %d, %s", r.get("slot").asText(),
                    r.get("replicate").asInt(), r.get("model").asText(), r.get("fold").asInt(), r.get("attempt").asInt(),
                    Durations.human(Duration.ofSeconds(r.get("elapsed_s").asLong()))));
            if (r.has("epoch")) {
                b.append(", epoch ").append(r.get("epoch").asInt());
            }
            if (r.has("loss")) {
                b.append(String.format(", loss %.4f", r.get("loss").asDouble()));
            }
            if (r.has("val_loss")) {
                b.append(String.format(", val_loss %.4f", r.get("val_loss").asDouble()));
            }
            b.append('\n');
        }
        if (!s.get("last_failures").isEmpty()) {
            b.append("last failures:\n");
            for (var f : s.get("last_failures")) {
                b.append(String.format("  replicate %d attempt %d on %s: %s%s%n", f.get("replicate").asInt(),
                        f.get("attempt").asInt(), f.path("slot").asText(), f.get("verdict").asText(),
                        f.hasNonNull("reason") ? " (" + f.get("reason").asText() + ")" : ""));
            }
        }
        return b.toString();
    }
}
