package io.isofold.supervisor.schedule;

import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ReplicatePlan;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.LaunchedAttempt;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.progress.ProgressSnapshot;
import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.spec.Sizes;
import io.isofold.supervisor.watch.AttemptProcesses;
import io.isofold.supervisor.watch.ProcessTable;
import io.isofold.supervisor.watch.ProcessTreeKiller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs replicates until N of each model have completed or the attempt budget is spent.
 *
 * <p>One thread, the one that calls {@link #run}, owns all of the run's state: which replicate is
 * pending, running, completed, on which slot. Process exits, kill completions and stop requests
 * arrive as events on a queue; watchdog checks run on the same thread between events. Blocking work
 * (a kill's grace period, sweeping an attempt's leftover processes) runs on a pool and reports back
 * by event, so a slow kill never holds up the rest of the run.
 */
public final class RunLoop {
    private static final Logger log = LoggerFactory.getLogger(RunLoop.class);
    private static final long TICK_MILLIS = 200;
    private static final int STDERR_TAIL_LINES = 15;

    /** Exit statuses of the contract. */
    public static final int EXIT_COMPLETE = 0;
    public static final int EXIT_INCOMPLETE = 1;
    public static final int EXIT_BAD_INPUT = 2;

    private sealed interface Event permits ProcessExited, Finished, StopRequested {}

    private record ProcessExited(Running attempt, int exitCode) implements Event {}

    private record Finished(Running attempt, int exitCode, int leftovers, String cleanupProblem) implements Event {}

    private record StopRequested(String signal, int exitStatus) implements Event {}

    private static final class Replicate {
        final int id;
        final ModelConfig model;
        final ReplicatePlan plan;
        int attemptsUsed;
        int lastAttemptNumber;
        boolean completed;
        boolean running;
        String lastFailedGpu;

        Replicate(int id, ModelConfig model, ReplicatePlan plan) {
            this.id = id;
            this.model = model;
            this.plan = plan;
        }
    }

    private static final class Running {
        final AttemptId id;
        final Replicate replicate;
        final Slot slot;
        final LaunchedAttempt launched;
        final AttemptProcesses processes;
        final Instant started;
        final Path dir;
        final Path progress;
        final Path result;
        long progressSize = -1;
        long progressModified = -1;
        Instant lastProgress;
        Verdict killVerdict;
        String killReason;
        CompletableFuture<Void> killing = CompletableFuture.completedFuture(null);
        boolean exited;

        Running(AttemptId id, Replicate replicate, Slot slot, LaunchedAttempt launched, AttemptProcesses processes,
                Instant started, Path dir, Path progress, Path result) {
            this.id = id;
            this.replicate = replicate;
            this.slot = slot;
            this.launched = launched;
            this.processes = processes;
            this.started = started;
            this.dir = dir;
            this.progress = progress;
            this.result = result;
            this.lastProgress = started;
        }

        boolean watched() {
            return killVerdict == null && !exited;
        }
    }

    private final RunSpec spec;
    private final List<Slot> slots;
    private final WorkerCommand workerCommand;
    private final WorkerLauncher launcher;
    private final Journal journal;
    private final ProgressDisplay display;
    private final ReportSink reports;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "isofold-reaper");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService reportWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "isofold-reports");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<List<AttemptRecord>> pendingReport = new AtomicReference<>();
    private final List<Replicate> replicates = new ArrayList<>();
    private final Map<Integer, Running> bySlot = new LinkedHashMap<>();
    private final List<AttemptRecord> finished = new ArrayList<>();
    private final Instant runStart;
    private int attemptsUsed;
    private int failedAttempts;
    private int completed;
    private boolean stopping;
    private int stopStatus = -1;
    private String stopReason;

    /**
     * @param history the journal of earlier supervisors of this run, already cleaned up (no
     *                unfinished attempt left), or an empty history for a new run
     */
    public RunLoop(RunSpec spec, List<Slot> slots, WorkerCommand workerCommand, WorkerLauncher launcher,
            Journal journal, RunHistory history, ProgressDisplay display, ReportSink reports) {
        this.spec = spec;
        this.slots = List.copyOf(slots);
        this.workerCommand = workerCommand;
        this.launcher = launcher;
        this.journal = journal;
        this.display = display;
        this.reports = reports;
        this.runStart = history.firstStart() != null ? history.firstStart() : Instant.now();
        int models = spec.models().size();
        for (int r = 0; r < spec.replicates(); r++) {
            ReplicatePlan plan = ReplicatePlan.of(r, spec.folds(), spec.seed());
            for (int m = 0; m < models; m++) {
                // interleaved ids: paired results of all models arrive together as the run goes
                replicates.add(new Replicate(r * models + m, spec.models().get(m), plan));
            }
        }
        for (AttemptRecord a : history.attempts()) {
            Replicate rep = replicates.get(a.id().replicate());
            rep.lastAttemptNumber = Math.max(rep.lastAttemptNumber, a.id().attempt());
            record(rep, a);
            finished.add(a);
        }
        for (Replicate rep : replicates) {
            rep.lastAttemptNumber = Math.max(rep.lastAttemptNumber, highestAttemptDir(rep.id));
        }
    }

    /** Where reports go after every finished attempt: results.csv, summary.json, report.html. */
    public interface ReportSink {
        void write(List<AttemptRecord> attempts, Instant runStart, Instant runEnd) throws IOException;
    }

    /** Asks the loop to stop as after a signal: kill running attempts, record them as interrupted. Any thread. */
    public void requestStop(String signal, int exitStatus) {
        events.add(new StopRequested(signal, exitStatus));
    }

    /** Runs to the end; returns the exit status of the contract. */
    public int run() throws InterruptedException {
        try {
            announce();
            while (true) {
                if (!stopping) {
                    fillSlots();
                }
                if (bySlot.isEmpty() && (stopping || !launchable())) {
                    break;
                }
                Event e = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                if (e != null) {
                    handle(e);
                }
                tick();
            }
            int status = exitStatus();
            writeReports(Instant.now());
            try {
                journal.append(JournalEvent.runEnd(now(), status, stopReason));
            } catch (IOException e) {
                log.error("cannot write the journal's last line: {}", e.getMessage());
            }
            return status;
        } finally {
            pool.shutdownNow();
            reportWriter.shutdownNow();
            display.close();
        }
    }

    private int exitStatus() {
        if (stopStatus >= 0) {
            return stopStatus;
        }
        return completed == replicates.size() ? EXIT_COMPLETE : EXIT_INCOMPLETE;
    }

    public String stopReason() {
        return stopReason;
    }

    private boolean launchable() {
        return attemptsUsed < spec.attemptBudget() && replicates.stream().anyMatch(this::eligible);
    }

    private boolean eligible(Replicate r) {
        return !r.completed && !r.running && r.attemptsUsed < spec.maxAttempts();
    }

    private void fillSlots() {
        while (attemptsUsed + bySlot.size() < spec.attemptBudget() && bySlot.size() < slots.size()) {
            Replicate next = replicates.stream().filter(this::eligible).findFirst().orElse(null);
            if (next == null) {
                return;
            }
            Slot slot = chooseSlot(next);
            if (!launch(next, slot)) {
                return;
            }
        }
    }

    /** A free slot, on another GPU than the replicate last failed on when one is free. */
    private Slot chooseSlot(Replicate r) {
        Slot fallback = null;
        for (Slot s : slots) {
            if (bySlot.containsKey(s.id())) {
                continue;
            }
            if (r.lastFailedGpu == null || !r.lastFailedGpu.equals(s.gpuLabel())) {
                return s;
            }
            if (fallback == null) {
                fallback = s;
            }
        }
        return fallback;
    }

    private boolean launch(Replicate rep, Slot slot) {
        int attempt = rep.lastAttemptNumber + 1;
        AttemptId id = new AttemptId(rep.id, rep.model.name(), rep.plan.index(), rep.plan.fold(), rep.plan.shuffle(),
                attempt);
        Path dir = spec.outDir().resolve("replicates").resolve(Integer.toString(rep.id)).resolve("attempt-" + attempt);
        Path taskFile = dir.resolve("task.json");
        Path progress = dir.resolve("progress.jsonl");
        Path result = dir.resolve("result.json");
        Task task = new Task(rep.id, rep.plan.index(), rep.model.name(), rep.model, rep.plan.fold(), spec.folds(),
                rep.plan.shuffle(), rep.plan.shuffleSeed(), rep.plan.seed(), attempt, slot.gpuLabel(), spec.data(),
                spec.saveModel(), dir.toString(), progress.toString(), result.toString());
        LaunchRequest request = workerCommand.request(task, slot, taskFile, dir.resolve("stdout.log"),
                dir.resolve("stderr.log"));
        try {
            Files.createDirectories(dir);
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(taskFile.toFile(), task);
        } catch (IOException e) {
            fatal("cannot write the attempt directory " + dir + ": " + IoFailure.reason(e));
            return false;
        }
        rep.lastAttemptNumber = attempt;
        Instant started = Instant.now();
        LaunchedAttempt launched;
        try {
            launched = launcher.launch(request);
        } catch (IOException e) {
            // the worker could not even start (a vanished executable, no more processes): a failed attempt
            rep.attemptsUsed++;
            attemptsUsed++;
            failedAttempts++;
            rep.lastFailedGpu = slot.gpuLabel();
            String reason = "cannot start the worker: " + IoFailure.reason(e);
            AttemptRecord rec = new AttemptRecord(id, slot.label(), slot.gpuLabel(), 0, 0, 0, dir.toString(), started,
                    Instant.now(), Verdict.FAILED, reason, null, Map.of(), 0.0);
            finished.add(rec);
            journalOrStop(JournalEvent.launch(started.toString(), id, slot.label(), slot.gpuLabel(), 0, 0, 0, dir.toString()));
            journalOrStop(JournalEvent.end(rec.ended().toString(), id, null, Verdict.FAILED.label(), reason, Map.of(), 0.0));
            display.event(id.label() + " failed: " + reason);
            return true;
        }
        AttemptProcesses processes = new AttemptProcesses(launched.pid(), launched.sessionId(), launched.startTicks(),
                dir.toString());
        Running running = new Running(id, rep, slot, launched, processes, started, dir, progress, result);
        rep.running = true;
        bySlot.put(slot.id(), running);
        launched.process().onExit().thenAccept(p -> events.add(new ProcessExited(running, p.exitValue())));
        // the journal's times are the record's own, so reports rebuilt from it (`report DIR`) say the same
        journalOrStop(JournalEvent.launch(started.toString(), id, slot.label(), slot.gpuLabel(), launched.pid(),
                launched.sessionId(), launched.startTicks(), dir.toString()));
        display.event("launched " + id.label() + " on " + slot.label() + " (pid " + launched.pid() + ")");
        return true;
    }

    private void handle(Event e) {
        if (e instanceof ProcessExited exited) {
            Running r = exited.attempt();
            r.exited = true;
            // sweep what the worker left behind (a detached grandchild holding the GPU) before the slot is free
            r.killing.whenCompleteAsync((ok, err) -> {
                int leftovers = 0;
                String problem = null;
                try {
                    leftovers = ProcessTreeKiller.kill(r.processes, spec.killGrace());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException ex) {
                    problem = ex.getMessage();
                }
                events.add(new Finished(r, exited.exitCode(), leftovers, problem));
            }, pool);
        } else if (e instanceof Finished f) {
            finish(f);
        } else if (e instanceof StopRequested s) {
            if (stopping && stopStatus >= 0) {
                display.event("received " + s.signal() + " again; still stopping, please wait");
                return;
            }
            stopping = true;
            stopStatus = s.exitStatus();
            stopReason = "stopped by " + s.signal();
            display.event("received " + s.signal() + ": stopping " + bySlot.size() + " running attempt(s)");
            for (Running r : bySlot.values()) {
                kill(r, Verdict.INTERRUPTED, "interrupted by " + s.signal());
            }
        }
    }

    private void tick() {
        if (bySlot.isEmpty()) {
            display.update(snapshot());
            return;
        }
        Instant now = Instant.now();
        ProcessTable table = spec.maxMemoryBytes() != null ? ProcessTable.scan() : null;
        for (Running r : List.copyOf(bySlot.values())) {
            if (!r.watched()) {
                continue;
            }
            Duration elapsed = Duration.between(r.started, now);
            if (spec.timeout() != null && elapsed.compareTo(spec.timeout()) > 0) {
                kill(r, Verdict.TIMEOUT, "timeout: still running after " + Durations.format(spec.timeout()));
                continue;
            }
            if (spec.stallTimeout() != null) {
                observeProgress(r, now);
                if (Duration.between(r.lastProgress, now).compareTo(spec.stallTimeout()) > 0) {
                    kill(r, Verdict.STALL, "stall: no progress for " + Durations.format(spec.stallTimeout()));
                    continue;
                }
            }
            if (table != null) {
                long rss = r.processes.residentBytes(table);
                if (rss > spec.maxMemoryBytes()) {
                    kill(r, Verdict.MEMORY, "memory: resident " + Sizes.format(rss) + " over "
                            + Sizes.format(spec.maxMemoryBytes()));
                }
            }
        }
        display.update(snapshot());
    }

    private static void observeProgress(Running r, Instant now) {
        try {
            long size = Files.size(r.progress);
            long modified = Files.getLastModifiedTime(r.progress).toMillis();
            if (size != r.progressSize || modified != r.progressModified) {
                r.progressSize = size;
                r.progressModified = modified;
                r.lastProgress = now;
            }
        } catch (IOException noProgressYet) {
            // the stall clock runs from the launch until the first line
        }
    }

    private void kill(Running r, Verdict verdict, String reason) {
        if (r.killVerdict != null) {
            return;
        }
        r.killVerdict = verdict;
        r.killReason = reason;
        journalOrStop(JournalEvent.kill(now(), r.id, verdict.label(), reason));
        display.event("killing " + r.id.label() + " on " + r.slot.label() + ": " + reason);
        r.killing = CompletableFuture.runAsync(() -> {
            try {
                ProcessTreeKiller.kill(r.processes, spec.killGrace());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException ex) {
                log.error("killing {}: {}", r.id.label(), ex.getMessage());
            }
        }, pool);
    }

    private void finish(Finished f) {
        Running r = f.attempt();
        Replicate rep = r.replicate;
        bySlot.remove(r.slot.id());
        rep.running = false;
        Instant ended = Instant.now();
        double seconds = Duration.between(r.started, ended).toMillis() / 1000.0;
        Verdict verdict;
        String reason;
        Map<String, Double> metrics = Map.of();
        if (r.killVerdict != null) {
            verdict = r.killVerdict;
            reason = r.killReason;
        } else {
            Judgement j = Judgement.of(f.exitCode(), r.result);
            verdict = j.verdict();
            reason = j.reason();
            metrics = j.metrics();
        }
        if (f.leftovers() > 0) {
            String note = f.leftovers() + " leftover process(es) killed after the worker exited";
            reason = reason == null ? note : reason + "; " + note;
            log.warn("{}: {}", r.id.label(), note);
        }
        if (f.cleanupProblem() != null) {
            log.error("{}: {}", r.id.label(), f.cleanupProblem());
        }
        AttemptRecord rec = new AttemptRecord(r.id, r.slot.label(), r.slot.gpuLabel(), r.launched.pid(),
                r.launched.sessionId(), r.launched.startTicks(), r.dir.toString(), r.started, ended, verdict, reason,
                f.exitCode(), metrics, seconds);
        finished.add(rec);
        record(rep, rec);
        journalOrStop(JournalEvent.end(ended.toString(), r.id, f.exitCode(), verdict.label(), reason, metrics, seconds));
        String outcome = verdict == Verdict.COMPLETED
                ? "completed in " + String.format("%.1f", seconds) + " s " + metrics
                : verdict.label() + (reason == null ? "" : " (" + reason + ")");
        display.event(r.id.label() + " " + (verdict == Verdict.COMPLETED ? outcome : "failed: " + outcome));
        if (verdict != Verdict.COMPLETED && verdict.usesAttempt() && !rep.completed
                && rep.attemptsUsed >= spec.maxAttempts()) {
            display.event("gave up replicate " + rep.id + " after " + rep.attemptsUsed + " attempts");
        }
        if (verdict == Verdict.BAD_TASK && !stopping) {
            stopping = true;
            stopStatus = EXIT_BAD_INPUT;
            stopReason = "bad task: " + r.id.label() + " exited 2" + stderrTail(r.dir.resolve("stderr.log"));
            for (Running other : bySlot.values()) {
                kill(other, Verdict.INTERRUPTED, "run stopped: another attempt reported a bad task");
            }
        }
        writeReports(null);
    }

    /** Counts an ended attempt into its replicate and the run's totals. */
    private void record(Replicate rep, AttemptRecord a) {
        if (a.verdict() == null) {
            return;
        }
        if (a.verdict() == Verdict.COMPLETED) {
            if (!rep.completed) {
                completed++;
            }
            rep.completed = true;
        } else if (a.verdict().usesAttempt()) {
            failedAttempts++;
            rep.lastFailedGpu = a.gpu();
        }
        if (a.verdict().usesAttempt()) {
            rep.attemptsUsed++;
            attemptsUsed++;
        }
    }

    private int highestAttemptDir(int replicate) {
        Path dir = spec.outDir().resolve("replicates").resolve(Integer.toString(replicate));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("attempt-\\d+"))
                    .mapToInt(n -> Integer.parseInt(n.substring("attempt-".length())))
                    .max().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private void journalOrStop(JournalEvent event) {
        try {
            journal.append(event);
        } catch (IOException e) {
            fatal("cannot write the journal: " + IoFailure.reason(e));
        }
    }

    /** The output directory cannot take more: stop cleanly, keeping what is recorded valid. */
    private void fatal(String problem) {
        log.error(problem);
        if (!stopping) {
            stopping = true;
            stopStatus = EXIT_INCOMPLETE;
            stopReason = problem;
            for (Running r : bySlot.values()) {
                kill(r, Verdict.INTERRUPTED, "run stopped: " + problem);
            }
        }
    }

    /**
     * Hands the reports a snapshot of every attempt. Mid-run they are written on a thread of their own,
     * latest snapshot first and skipped ones dropped, so a slow report page never delays a launch; the
     * final write (runEnd set) waits for the writer and runs on this thread.
     */
    private void writeReports(Instant runEnd) {
        List<AttemptRecord> all = new ArrayList<>(finished);
        for (Running r : bySlot.values()) {
            all.add(new AttemptRecord(r.id, r.slot.label(), r.slot.gpuLabel(), r.launched.pid(),
                    r.launched.sessionId(), r.launched.startTicks(), r.dir.toString(), r.started, null, null, null,
                    null, Map.of(), null));
        }
        all.sort(Comparator.comparing(AttemptRecord::started));
        if (runEnd == null) {
            if (pendingReport.getAndSet(all) == null) {
                reportWriter.execute(() -> writeReportsNow(pendingReport.getAndSet(null), null));
            }
            return;
        }
        reportWriter.shutdown();
        try {
            reportWriter.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeReportsNow(all, runEnd);
    }

    private void writeReportsNow(List<AttemptRecord> attempts, Instant runEnd) {
        if (attempts == null) {
            return;
        }
        try {
            reports.write(attempts, runStart, runEnd);
        } catch (IOException | RuntimeException e) {
            // reports are rebuilt from the journal at any time (`report DIR`); a failure here must not stop the run
            log.warn("cannot write reports: {}", IoFailure.reason(e));
        }
    }

    private void announce() {
        display.event("run of " + replicates.size() + " replicate(s) on " + slots.size() + " slot(s): "
                + completed + " already completed, " + attemptsUsed + " attempt(s) used of " + spec.attemptBudget());
    }

    private ProgressSnapshot snapshot() {
        List<String> running = new ArrayList<>();
        for (Running r : bySlot.values()) {
            running.add(r.slot.label() + ":r" + r.id.replicate());
        }
        Duration elapsed = Duration.between(runStart, Instant.now());
        Duration eta = null;
        List<AttemptRecord> done = finished.stream().filter(a -> a.verdict() == Verdict.COMPLETED).toList();
        if (!done.isEmpty()) {
            double mean = done.stream().mapToDouble(a -> a.durationS() == null ? 0 : a.durationS()).average().orElse(0);
            int left = replicates.size() - completed;
            eta = Duration.ofMillis((long) (mean * 1000 * Math.ceil(left / (double) slots.size())));
        }
        return new ProgressSnapshot(completed, replicates.size(), running, failedAttempts, elapsed, eta);
    }

    private static String stderrTail(Path stderr) {
        try {
            List<String> lines = Files.readAllLines(stderr);
            List<String> tail = lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size());
            return tail.isEmpty() ? " (stderr empty)" : "; its stderr ends with:\n  " + String.join("\n  ", tail);
        } catch (IOException e) {
            return "";
        }
    }

    private static String now() {
        return Instant.now().toString();
    }
}
