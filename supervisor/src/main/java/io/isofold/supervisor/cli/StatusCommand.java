package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.progress.Console;
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
import java.util.Locale;
import java.util.Map;
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
        RunView view;
        Long pid;
        int leftRunning;
        Map<String, ClusterJob> jobs;
        try {
            RunViews.Journal journal = RunViews.read(out);
            RunHistory history = journal.history();
            jobs = ClusterJob.ofRunning(history.unfinished());
            pid = RunLock.liveSupervisor(history).orElse(null);
            leftRunning = pid == null ? history.unfinished().size() : 0;
            // a dead supervisor's attempts are shown as they were, running, not as lost: they may well still run
            view = RunViews.load(out, journal, true);
            if (pid == null && history.lastRunEnd() != null) {
                view = RunViews.load(out, journal, false);
            }
            // the run's time is the time a supervisor held it: a dead one's session ended with its last line
            view = view.withSessions(journal.sessions().sessions(pid != null));
        } catch (IOException e) {
            return RunExecution.badInput(e.getMessage());
        }
        ObjectNode status = status(view, pid, leftRunning, Instant.now(), jobs);
        Console.get().line(json ? status.toPrettyString() : text(status).stripTrailing());
        Console.get().close(java.time.Duration.ofSeconds(3));
        return 0;
    }

    static ObjectNode status(RunView view, Long pid, int leftRunning, Instant now) {
        return status(view, pid, leftRunning, now, Map.of());
    }

    /** @param jobs the running attempts' cluster jobs, by {@link ClusterJob#key}; empty on the local backend */
    static ObjectNode status(RunView view, Long pid, int leftRunning, Instant now, Map<String, ClusterJob> jobs) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("dir", view.outDir().toString());
        Summary summary = Summary.of(view);
        String state = pid != null ? "running"
                : summary.completed() >= summary.requested() && summary.requested() > 0 ? "complete"
                : leftRunning > 0 ? "supervisor-not-running" : "stopped";
        s.put("state", state);
        if (pid != null) {
            s.put("supervisor_pid", pid);
        }
        if (leftRunning > 0) {
            s.put("left_running", leftRunning);
            // a dead supervisor's time ends with its last line; say how long ago that was
            List<RunView.Session> sessions = view.sessions();
            Instant lastHeard = sessions.isEmpty() ? null : sessions.get(sessions.size() - 1).end();
            if (lastHeard != null) {
                s.put("supervisor_last_heard_s", Math.max(0, Duration.between(lastHeard, now).toSeconds()));
            }
        }
        // the counts summary.json has, so the two never disagree
        int required = summary.requested();
        int completed = summary.completed();
        List<AttemptView> attempts = view.attempts();
        List<AttemptView> failed = attempts.stream().filter(a -> !a.running() && a.verdict().failure()).toList();
        s.put("required", required);
        s.put("completed", completed);
        s.put("attempts", summary.attempts());
        s.put("failed_attempts", summary.failedAttempts());
        Instant started = view.started();
        if (started != null) {
            // supervisor time, as the report's "took": hours when no supervisor ran do not count
            s.put("elapsed_s", Math.round(view.supervisedSeconds(now)));
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
            ClusterJob job = jobs.get(ClusterJob.key(a.replicate(), a.attempt()));
            if (job != null) {
                r.put("job_id", job.jobId());
                if (job.node() != null) {
                    r.put("node", job.node());
                }
                if (job.state() != null) {
                    r.put("job_state", job.state());
                }
                if (job.reason() != null) {
                    r.put("job_reason", job.reason());
                }
            }
            ProgressEvent last = lastProgress(a.attemptDir());
            if (last != null && last.phase() != null && !ProgressEvent.PHASE_TRAINING.equals(last.phase())) {
                // starting up, loading data, compiling the first step...: "epoch 0" would say nothing
                r.put("phase", last.phase());
            } else if (last != null) {
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
            f.put("verdict", a.verdict().label());
            f.put("reason", a.reason());
            if (a.stderrTail() != null) {
                f.put("stderr_tail", a.stderrTail());
            }
            f.put("attempt_dir", String.valueOf(a.attemptDir()));
        }
        ObjectNode metrics = s.putObject("metrics");
        summary.models().forEach((model, m) -> {
            ObjectNode per = metrics.putObject(model);
            m.metrics().forEach((name, st) -> {
                ObjectNode o = per.putObject(name);
                o.put("n", st.n());
                o.put("mean", st.mean());
                if (st.std() != null && Double.isFinite(st.std())) {
                    o.put("std", st.std());
                }
            });
        });
        if (!view.quarantined().isEmpty()) {
            ObjectNode q = s.putObject("quarantined_gpus");
            view.quarantined().forEach(q::put);
        }
        return s;
    }

    /** The last whole line of an attempt's progress file; reads only its tail, which may be long. */
    static ProgressEvent lastProgress(Path attemptDir) {
        if (attemptDir == null) {
            return null;
        }
        Path file = new RunFiles.AttemptFiles(attemptDir).progress();
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

    /** The journal's phrase for a verdict ("timed out", "was lost with its supervisor"), as the console says it. */
    static String phrase(String label) {
        try {
            return Verdict.of(label).phrase();
        } catch (IllegalArgumentException newer) {
            return label;
        }
    }

    static String text(ObjectNode s) {
        StringBuilder b = new StringBuilder();
        b.append(s.get("dir").asText()).append(": ");
        switch (s.get("state").asText()) {
            case "running" -> b.append("running (supervisor pid ").append(s.get("supervisor_pid").asLong()).append(')');
            case "supervisor-not-running" -> {
                int left = s.get("left_running").asInt();
                b.append("supervisor not running; ").append(left).append(left == 1 ? " attempt was" : " attempts were")
                        .append(" running when it stopped (resume to settle them)");
            }
            default -> b.append(s.get("state").asText());
        }
        b.append('\n');
        int attempts = s.get("attempts").asInt();
        b.append(String.format(Locale.ROOT, "completed %d/%d, %d finished %s, %d failed", s.get("completed").asInt(),
                s.get("required").asInt(), attempts, attempts == 1 ? "attempt" : "attempts",
                s.get("failed_attempts").asInt()));
        if (!s.get("running").isEmpty()) {
            b.append(", ").append(s.get("running").size()).append(" running");
        }
        if (s.has("elapsed_s")) {
            b.append(", elapsed ").append(Durations.human(Duration.ofSeconds(s.get("elapsed_s").asLong())));
        }
        if (s.has("supervisor_last_heard_s")) {
            b.append(" (supervisor last heard from ")
                    .append(Durations.human(Duration.ofSeconds(s.get("supervisor_last_heard_s").asLong())))
                    .append(" ago)");
        }
        if (s.has("eta_s")) {
            b.append(", ETA ").append(Durations.human(Duration.ofSeconds(s.get("eta_s").asLong())));
        }
        b.append('\n');
        for (var r : s.get("running")) {
            b.append(String.format(Locale.ROOT, "  %-8s replicate %d (%s, fold %d) attempt %d, %s", r.get("slot").asText(),
                    r.get("replicate").asInt(), r.get("model").asText(), r.get("fold").asInt(), r.get("attempt").asInt(),
                    Durations.human(Duration.ofSeconds(r.get("elapsed_s").asLong()))));
            if (r.has("job_id")) {
                b.append(", job ").append(r.get("job_id").asText());
                if ("PENDING".equals(r.path("job_state").asText())) {
                    b.append(" pending").append(r.has("job_reason") ? " (" + r.get("job_reason").asText() + ")" : "");
                } else {
                    if (r.has("job_state") && !"RUNNING".equals(r.get("job_state").asText())) {
                        b.append(' ').append(r.get("job_state").asText());
                    }
                    if (r.has("node")) {
                        b.append(" on ").append(r.get("node").asText());
                    }
                }
            }
            if (r.has("phase")) {
                b.append(", ").append(r.get("phase").asText());
            } else if (r.has("epoch")) {
                b.append(", epoch ").append(r.get("epoch").asInt());
            }
            if (r.has("loss")) {
                b.append(String.format(Locale.ROOT, ", loss %.4f", r.get("loss").asDouble()));
            }
            if (r.has("val_loss")) {
                b.append(String.format(Locale.ROOT, ", val_loss %.4f", r.get("val_loss").asDouble()));
            }
            b.append('\n');
        }
        s.get("metrics").fields().forEachRemaining(model -> {
            StringBuilder line = new StringBuilder("  " + model.getKey() + ":");
            model.getValue().fields().forEachRemaining(m -> line.append(String.format(Locale.ROOT, " %s %.4f%s (n=%d)", m.getKey(),
                    m.getValue().get("mean").asDouble(), m.getValue().has("std")
                            ? String.format(Locale.ROOT, " \u00b1 %.4f std", m.getValue().get("std").asDouble()) : "",
                    m.getValue().get("n").asInt())));
            if (model.getValue().size() > 0) {
                b.append(line).append('\n');
            }
        });
        if (s.has("quarantined_gpus")) {
            s.get("quarantined_gpus").fields().forEachRemaining(q -> b.append("  GPU ").append(q.getKey())
                    .append(" quarantined: ").append(q.getValue().asText()).append('\n'));
        }
        if (!s.get("last_failures").isEmpty()) {
            b.append("last failures:\n");
            for (var f : s.get("last_failures")) {
                b.append(String.format(Locale.ROOT, "  replicate %d attempt %d on %s %s%s%n", f.get("replicate").asInt(),
                        f.get("attempt").asInt(), f.path("slot").asText(), phrase(f.get("verdict").asText()),
                        f.hasNonNull("reason") ? ": " + f.get("reason").asText() : ""));
                if (f.has("stderr_tail")) {
                    String[] tail = f.get("stderr_tail").asText().split("\n");
                    b.append("    stderr: ").append(tail[tail.length - 1]).append('\n');
                }
                b.append("    logs: ").append(f.get("attempt_dir").asText()).append('\n');
            }
        }
        return b.toString();
    }
}
