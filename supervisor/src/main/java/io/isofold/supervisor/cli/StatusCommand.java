package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.ExitStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.ContinuedFrom;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.outcome.ProgressFile;
import io.isofold.supervisor.progress.Console;
import io.isofold.supervisor.report.AttemptView;
import io.isofold.supervisor.report.RaceSummary;
import io.isofold.supervisor.report.RunView;
import io.isofold.supervisor.report.RunStanding;
import io.isofold.supervisor.report.Summary;
import io.isofold.supervisor.report.SummaryJson;
import io.isofold.supervisor.report.SummaryTable;
import io.isofold.supervisor.report.RunViews;
import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.text.TerminalText;
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
    /** Metrics per model in the text, the first in display order; --json has them all. */
    static final int METRICS_SHOWN = 4;

    @Parameters(paramLabel = "DIR", description = "The run's output directory.")
    Path dir;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        Path out = dir.toAbsolutePath().normalize();
        RunView view;
        RunLock.Holder holder;
        Instant lastEvent;
        int leftRunning;
        Map<String, ClusterJob> jobs;
        try {
            RunViews.Journal journal = RunViews.read(out);
            RunHistory history = journal.history();
            jobs = ClusterJob.ofRunning(history.unfinished());
            // a supervisor on another host (or in a container this one cannot see into) is never called dead
            holder = RunLock.holder(out, history).orElse(null);
            lastEvent = history.lastEvent();
            leftRunning = holder == null ? history.unfinished().size() : 0;
            // a dead supervisor's attempts are shown as they were, running, not as lost: they may well still run
            view = RunViews.load(out, journal, true);
            if (holder == null && (history.lastRunEnd() != null || history.lastRunStart() == null)) {
                view = RunViews.load(out, journal, false);
            }
            // the run's time is the time a supervisor held it: a dead one's session ended with its last line
            view = view.withSessions(journal.sessions().sessions(holder != null));
        } catch (IOException e) {
            return RunExecution.badInput(e.getMessage());
        }
        Instant now = Instant.now();
        ObjectNode status = status(view, holder, leftRunning, now, jobs);
        if (holder != null && !holder.checked() && lastEvent != null) {
            // what there is to judge it by: how long ago its journal last had a line
            status.put("supervisor_last_heard_s", Math.max(0, Duration.between(lastEvent, now).toSeconds()));
        }
        Console.get().line(json ? status.toPrettyString() : text(status).stripTrailing());
        Console.get().close(java.time.Duration.ofSeconds(3));
        return ExitStatus.COMPLETE.code();
    }

    /** @param pid the live supervisor of the run, on this machine; null when none */
    static ObjectNode status(RunView view, Long pid, int leftRunning, Instant now) {
        return status(view, pid == null ? null : new RunLock.Holder(pid, RunLock.hostName(), RunLock.Check.PROCESS),
                leftRunning, now, Map.of());
    }

    /**
     * @param holder the supervisor holding the run, checked here or not; null when none does
     * @param jobs   the running attempts' cluster jobs, by {@link ClusterJob#key}; empty on the local backend
     */
    static ObjectNode status(RunView view, RunLock.Holder holder, int leftRunning, Instant now,
            Map<String, ClusterJob> jobs) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("dir", view.outDir().toString());
        Summary summary = Summary.of(view);
        Long pid = holder == null ? null : holder.pid();
        RunStanding standing = pid != null ? RunStanding.RUNNING
                : summary.completed() >= summary.required() && summary.required() > 0 ? RunStanding.COMPLETE
                : leftRunning > 0 ? RunStanding.SUPERVISOR_NOT_RUNNING : RunStanding.STOPPED;
        s.put("state", standing.word());
        if (holder != null) {
            s.put("supervisor_pid", holder.pid());
            if (holder.host() != null) {
                s.put("supervisor_host", holder.host());
            }
            // false: on another host or in another container, where nothing here can see whether it lives
            s.put("supervisor_checked", holder.checked());
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
        int required = summary.required();
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
            ContinuedFrom from = a.continuedFrom() != null ? a.continuedFrom() : a.attemptDir() == null ? null
                    : ProgressFile.continuedFrom(new RunFiles.AttemptFiles(a.attemptDir()).progress());
            if (from != null) {
                r.set("continued_from", continuedFrom(from));
            }
            ProgressEvent last = lastProgress(a.attemptDir());
            if (last != null && ProgressEvent.PHASE_CONTINUED.equals(last.phase())) {
                // said by continued_from already; its epoch is the checkpoint's, not one trained now
            } else if (last != null && last.phase() != null && !ProgressEvent.PHASE_TRAINING.equals(last.phase())) {
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
            if (a.continuedFrom() != null) {
                f.set("continued_from", continuedFrom(a.continuedFrom()));
            }
            f.put("attempt_dir", String.valueOf(a.attemptDir()));
        }
        if (summary.continuedAttempts() > 0) {
            s.put("continued_attempts", summary.continuedAttempts());
            s.put("training_seconds_saved", Math.round(summary.trainingSecondsSaved()));
        }
        if (summary.primaryMetric() != null) {
            s.put("primary_metric", summary.primaryMetric());
        }
        if (summary.best() != null) {
            s.put("best", summary.best());
        }
        // best first, as the leaderboard ranks them
        ObjectNode metrics = s.putObject("metrics");
        summary.rankedModels().forEach(m -> {
            String model = m.name();
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
        if (summary.race() != null) {
            // summary.json's race section, so the two never disagree
            s.set("race", SummaryJson.race(summary));
            s.put("race_line", SummaryTable.raceLine(summary.race()));
        }
        if (!view.quarantined().isEmpty()) {
            ObjectNode q = s.putObject("quarantined_gpus");
            view.quarantined().forEach(q::put);
        }
        return s;
    }

    private static ObjectNode continuedFrom(ContinuedFrom from) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("epoch", from.epoch());
        if (from.batch() != null) {
            o.put("batch", from.batch());
        }
        if (from.restoredSeconds() != null) {
            o.put("restored_seconds", from.restoredSeconds());
        }
        return o;
    }

    /** "continued from epoch 4, batch 120". */
    private static String continuedText(JsonNode from) {
        int batch = from.path("batch").asInt(0);
        return "continued from epoch " + from.path("epoch").asInt() + (batch > 0 ? ", batch " + batch : "");
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

    /** A field of a line: it may quote a worker (a reason, a metric's name), and must not start a line of its own. */
    private static String one(JsonNode field) {
        return TerminalText.oneLine(field.asText());
    }

    static String text(ObjectNode s) {
        StringBuilder b = new StringBuilder();
        b.append(s.get("dir").asText()).append(": ");
        switch (RunStanding.of(s.get("state").asText())) {
            case RUNNING -> {
                if (s.path("supervisor_checked").asBoolean(true)) {
                    b.append("running (supervisor pid ").append(s.get("supervisor_pid").asLong());
                    if (s.has("supervisor_host") && !RunLock.hostName().equals(s.get("supervisor_host").asText())) {
                        b.append(" on ").append(one(s.get("supervisor_host")));
                    }
                    b.append(')');
                } else {
                    b.append("running on host ").append(one(s.get("supervisor_host"))).append(" (supervisor pid ")
                            .append(s.get("supervisor_pid").asLong())
                            .append("; cannot check from here whether it still runs");
                    if (s.has("supervisor_last_heard_s")) {
                        b.append(", last heard from ").append(Durations.human(Duration.ofSeconds(
                                s.get("supervisor_last_heard_s").asLong()))).append(" ago");
                    }
                    b.append(')');
                }
            }
            case SUPERVISOR_NOT_RUNNING -> {
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
        if (s.has("supervisor_last_heard_s") && s.has("left_running")) {
            b.append(" (supervisor last heard from ")
                    .append(Durations.human(Duration.ofSeconds(s.get("supervisor_last_heard_s").asLong())))
                    .append(" ago)");
        }
        if (s.has("eta_s")) {
            b.append(", ETA ").append(Durations.human(Duration.ofSeconds(s.get("eta_s").asLong())));
        }
        b.append('\n');
        if (s.has("continued_attempts")) {
            int n = s.get("continued_attempts").asInt();
            b.append(n).append(n == 1 ? " attempt" : " attempts").append(" continued from checkpoints");
            if (s.path("training_seconds_saved").asLong() > 0) {
                b.append(", ").append(Durations.human(Duration.ofSeconds(s.get("training_seconds_saved").asLong())))
                        .append(" of training not done again");
            }
            b.append('\n');
        }
        for (var r : s.get("running")) {
            b.append(String.format(Locale.ROOT, "  %-8s replicate %d (%s, fold %d) attempt %d, %s", one(r.get("slot")),
                    r.get("replicate").asInt(), one(r.get("model")), r.get("fold").asInt(), r.get("attempt").asInt(),
                    Durations.human(Duration.ofSeconds(r.get("elapsed_s").asLong()))));
            if (r.has("job_id")) {
                b.append(", job ").append(r.get("job_id").asText());
                if ("PENDING".equals(r.path("job_state").asText())) {
                    b.append(" pending").append(r.has("job_reason") ? " (" + one(r.get("job_reason")) + ")" : "");
                } else {
                    if (r.has("job_state") && !"RUNNING".equals(r.get("job_state").asText())) {
                        b.append(' ').append(one(r.get("job_state")));
                    }
                    if (r.has("node")) {
                        b.append(" on ").append(one(r.get("node")));
                    }
                }
            }
            if (r.has("continued_from")) {
                b.append(", ").append(continuedText(r.get("continued_from")));
            }
            if (r.has("phase")) {
                b.append(", ").append(one(r.get("phase")));
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
            StringBuilder line = new StringBuilder("  " + TerminalText.oneLine(model.getKey()) + ":");
            var metrics = model.getValue().fields();
            for (int i = 0; i < METRICS_SHOWN && metrics.hasNext(); i++) {
                var m = metrics.next();
                JsonNode st = m.getValue();
                line.append(String.format(Locale.ROOT, " %s %.4f%s (n=%d)", TerminalText.oneLine(m.getKey()),
                        st.get("mean").asDouble(),
                        st.has("std") ? String.format(Locale.ROOT, " \u00b1 %.4f std", st.get("std").asDouble()) : "",
                        st.get("n").asInt()));
            }
            int more = model.getValue().size() - METRICS_SHOWN;
            if (more > 0) {
                line.append(" (").append(more).append(" more in summary.json)");
            }
            if (model.getKey().equals(s.path("best").asText(null)) && s.get("metrics").size() > 1) {
                line.append(" [best on ").append(TerminalText.oneLine(s.path("primary_metric").asText())).append(']');
            }
            JsonNode raced = s.path("race").path("variants").path(model.getKey());
            if (raced.path("status").asText().equals(RaceSummary.ELIMINATED)) {
                line.append(String.format(Locale.ROOT, " [eliminated after %d folds, p=%.3g vs %s]",
                        raced.path("eliminated_after_folds").asInt(), raced.path("p").asDouble(),
                        TerminalText.oneLine(raced.path("compared_with").asText())));
            }
            if (model.getValue().size() > 0) {
                b.append(line).append('\n');
            }
        });
        if (s.has("race_line")) {
            b.append("  ").append(s.get("race_line").asText()).append('\n');
        }
        if (s.has("quarantined_gpus")) {
            s.get("quarantined_gpus").fields().forEachRemaining(q -> b.append("  GPU ")
                    .append(TerminalText.oneLine(q.getKey())).append(" quarantined: ").append(one(q.getValue()))
                    .append('\n'));
        }
        if (!s.get("last_failures").isEmpty()) {
            b.append("last failures:\n");
            for (var f : s.get("last_failures")) {
                b.append(String.format(Locale.ROOT, "  replicate %d attempt %d on %s %s%s%n", f.get("replicate").asInt(),
                        f.get("attempt").asInt(), one(f.path("slot")), phrase(f.get("verdict").asText()),
                        f.hasNonNull("reason") ? ": " + one(f.get("reason")) : ""));
                if (f.has("continued_from")) {
                    b.append("    ").append(continuedText(f.get("continued_from"))).append('\n');
                }
                if (f.has("stderr_tail")) {
                    String[] tail = f.get("stderr_tail").asText().split("\n");
                    b.append("    stderr: ").append(TerminalText.oneLine(tail[tail.length - 1])).append('\n');
                }
                b.append("    logs: ").append(f.get("attempt_dir").asText()).append('\n');
            }
        }
        return b.toString();
    }
}
