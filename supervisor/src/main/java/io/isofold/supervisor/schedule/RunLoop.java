package io.isofold.supervisor.schedule;

import io.isofold.shared.Json;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.launch.WorkerExit;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.progress.ProgressSnapshot;
import io.isofold.supervisor.progress.RunEvent;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.standby.StandbyWorkers;
import io.isofold.supervisor.watch.AttemptWatchdog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs replicates until N of each model have completed, the attempt budget is spent, or the run is
 * stopped.
 *
 * <p>One thread, the one that calls {@link #run}, owns the run: the {@link RunState} (every rule of
 * retries, budget, verdicts and quarantine), the journal, the watchdogs. Everything else reaches it
 * as an event on a queue: a worker's exit and the end of its clean-up (from the backend's
 * {@link AttemptHandle} futures), a stop request (from a signal handler), a GPU health reading. The
 * loop never blocks on a process, a kill, the console or the report: kills and clean-ups run on the
 * backend's threads, output goes through a display that never blocks, and reports are written on a
 * thread of their own, at most once a second.
 */
public final class RunLoop {
    private static final Logger log = LoggerFactory.getLogger(RunLoop.class);
    private static final long TICK_MILLIS = 200;
    private static final long REPORT_EVERY_NANOS = 1_000_000_000L;
    private static final long HEALTH_EVERY_SECONDS = 30;

    private sealed interface Event permits Identified, Began, Exited, Over, StopRequested, HealthRead {}

    /** The backend named the attempt for good after its launch (a cluster job's id, once sbatch answered). */
    private record Identified(Running attempt, LaunchIdentity identity) implements Event {}

    /** The worker began to run (a cluster job left the queue), at {@code at} by the backend's clock. */
    private record Began(Running attempt, Instant at) implements Event {}

    /** The worker ended (or the backend lost track of it: {@code failure}). */
    private record Exited(Running attempt, WorkerExit exit, Throwable failure) implements Event {}

    /** Nothing of the attempt runs any more. */
    private record Over(Running attempt, int signalled, Throwable problem) implements Event {}

    private record StopRequested(String signal, ExitStatus status) implements Event {}

    private record HealthRead(Map<String, String> sick) implements Event {}

    /** Where reports go: results.csv, summary.json, report.html. Called off the loop's thread. */
    public interface ReportSink {
        void write(List<AttemptRecord> attempts, Instant runStart, Instant runEnd, Map<String, String> quarantined)
                throws IOException;
    }

    /** Reads the GPUs' health; may take seconds, so it runs on a thread of its own. Returns sick GPUs with the reason. */
    public interface HealthProbe {
        Map<String, String> sick();
    }

    /**
     * A launched attempt: its state in the run, its handle in the backend, and, once the worker runs,
     * its watchdog. A cluster job waiting in the queue has no watchdog yet: waiting is not running.
     */
    private static final class Running {
        final RunState.Attempt state;
        final AttemptHandle handle;
        final RunFiles.AttemptFiles files;
        /** When it was launched (submitted, for a cluster job): the journal's and the reports' start. */
        final Instant started;
        final long launchNanos;
        /** The standby worker it was handed to, or null when a worker was started for it. */
        final StandbyWorkers.Taken standby;
        AttemptWatchdog watchdog;
        WorkerExit exit;

        Running(RunState.Attempt state, AttemptHandle handle, RunFiles.AttemptFiles files, Instant started,
                long launchNanos, StandbyWorkers.Taken standby) {
            this.state = state;
            this.handle = handle;
            this.files = files;
            this.started = started;
            this.launchNanos = launchNanos;
            this.standby = standby;
        }

        /** Seconds the worker ran: 0 for a job that never left the queue. */
        double ranSeconds(long nowNanos) {
            return watchdog == null ? 0.0 : watchdog.elapsed(nowNanos).toMillis() / 1000.0;
        }
    }

    /** An attempt a dead supervisor launched that still runs where the backend can follow it: the loop takes it over. */
    public record Adopted(AttemptRecord record, AttemptHandle handle) {}

    private final RunSpec spec;
    private final RunFiles files;
    private final List<Slot> slots;
    private final WorkerCommand workerCommand;
    private final WorkerLauncher launcher;
    private final Journal journal;
    private final RunHistory history;
    private final ProgressDisplay display;
    private final ReportSink reports;
    private final HealthProbe health;
    /** Null when the run starts no standby workers. */
    private final StandbyWorkers standbys;
    private final RunState state;
    private final AttemptWatchdog.Limits limits;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<Integer, Running> bySlot = new LinkedHashMap<>();
    private final ExecutorService reportWriter = Executors.newSingleThreadExecutor(daemon("isofold-reports"));
    private final ScheduledExecutorService healthReader = Executors.newSingleThreadScheduledExecutor(
            daemon("isofold-gpu-health"));
    private final AtomicBoolean reportBusy = new AtomicBoolean();
    private final Instant runStart;
    private final long loopStartNanos = System.nanoTime();
    private final boolean resumed;
    private final List<Adopted> adopted;
    private boolean reportWanted;
    private long lastReportNanos;
    private String stopSignal;
    private double completedSeconds;
    private int completedHere;

    /**
     * @param history the run's history so far, settled by {@link RunSetup} (every unfinished attempt in it is
     *                one of {@code adopted}), or an empty one for a new run; the loop adds to it
     * @param adopted attempts a dead supervisor launched that the loop goes on watching; at most one per slot
     * @param health  null when no GPU is watched
     * @param standbys null when the run starts no standby workers
     */
    public RunLoop(RunSpec spec, List<Slot> slots, WorkerCommand workerCommand, WorkerLauncher launcher,
            Journal journal, RunHistory history, List<Adopted> adopted, ProgressDisplay display, ReportSink reports,
            HealthProbe health, StandbyWorkers standbys) {
        this.spec = spec;
        this.files = new RunFiles(spec.outDir());
        this.slots = List.copyOf(slots);
        this.workerCommand = workerCommand;
        this.launcher = launcher;
        this.journal = journal;
        this.history = history;
        this.display = display;
        this.reports = reports;
        this.health = health;
        this.standbys = standbys;
        this.limits = new AttemptWatchdog.Limits(spec.timeout(), spec.stallTimeout(), spec.maxMemoryBytes());
        this.state = new RunState(spec.models(), spec.replicates(), spec.folds(), spec.seed(), slots,
                spec.maxAttempts(), spec.attemptBudget());
        this.runStart = history.firstStart() != null ? history.firstStart() : Instant.now();
        this.resumed = !history.attempts().isEmpty();
        this.adopted = List.copyOf(adopted);
        for (AttemptRecord a : history.attempts()) {
            if (a.outcome() != null) {
                state.replay(a.id(), a.gpu(), a.verdict());
                if (a.completed() && a.outcome().durationS() != null) {
                    state.completedIn(a.id().model(), a.outcome().durationS());
                }
            }
        }
        history.quarantined().forEach(state::quarantine);
    }

    /** Asks the loop to stop as after a signal: running attempts are killed and recorded as interrupted. Any thread. */
    public void requestStop(String signal, ExitStatus status) {
        events.add(new StopRequested(signal, status));
    }

    /** Runs to the end; returns the exit status of the contract. */
    public ExitStatus run() throws InterruptedException {
        try {
            display.event(new RunEvent.Began(spec.outDir(), resumed, state.required(), state.completed(),
                    state.slotCount(), state.spent(), state.budget()));
            adopted.forEach(this::adopt);
            if (health != null) {
                // the first reading before any launch: a GPU that is sick at the start gets no attempt at all
                handle(new HealthRead(health.sick()));
                healthReader.scheduleWithFixedDelay(() -> events.add(new HealthRead(health.sick())),
                        HEALTH_EVERY_SECONDS, HEALTH_EVERY_SECONDS, TimeUnit.SECONDS);
            }
            while (true) {
                // slots first: the first attempts start at once, not a tick after the run began
                fillSlots();
                tick();
                if (state.finished()) {
                    break;
                }
                for (Event e = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS); e != null; e = events.poll()) {
                    handle(e);
                }
            }
            endStandbys();
            ExitStatus status = state.exitStatus();
            String reason = state.shortfall();
            writeFinalReports();
            try {
                journal.append(new JournalEvent.RunEnd(Instant.now().toString(), status.code(), reason));
            } catch (IOException e) {
                log.error("cannot write the journal's last line: {}", IoFailure.reason(e));
            }
            display.event(new RunEvent.Ended(status, reason));
            return status;
        } finally {
            healthReader.shutdownNow();
            reportWriter.shutdownNow();
            display.close();
        }
    }

    /** Why the run stopped or ended short, or null when it completed. */
    public String stopReason() {
        return state.shortfall();
    }

    private void fillSlots() {
        while (!state.stopping()) {
            var next = state.next();
            if (next.isEmpty()) {
                break;
            }
            launch(next.get());
        }
        startStandbys();
    }

    /**
     * While a slot's attempt runs, its next worker starts, for the replicate expected next; no more
     * standbys than attempts left to start (the newest go first when there are).
     */
    private void startStandbys() {
        if (standbys == null || state.stopping()) {
            return;
        }
        int waiting = state.waiting();
        standbys.trim(waiting);
        for (Slot slot : slots) {
            if (standbys.count() >= waiting) {
                return;
            }
            // the guess costs a pass over the replicates: only for a busy slot that can take a standby
            if (standbys.wanted(slot) && bySlot.containsKey(slot.id()) && !state.quarantined(slot.gpuLabel())) {
                state.upcoming(slot).ifPresent(a -> standbys.start(slot, standby -> task(a, standby)));
            }
        }
    }

    /** Ends the run's standby workers and waits (a kill grace at most, and a little) until none is left. */
    private void endStandbys() {
        if (standbys == null) {
            return;
        }
        try {
            standbys.endAll().get(spec.killGrace().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("ending the standby workers: {}", rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Task task(RunState.Assignment a, RunFiles.AttemptFiles in) {
        AttemptId id = a.id();
        return new Task(id.replicate(), id.index(), id.model(), a.replicate().model, id.fold(), spec.folds(),
                id.shuffle(), a.replicate().plan.splitSeed(), a.replicate().plan.seed(), id.attempt(),
                a.slot().gpuLabel(), spec.data(), spec.saveModel(), in.dir().toString(),
                in.progress().toString(), in.result().toString(), files.checkpoints(id.replicate()).toString(), null);
    }

    private void launch(RunState.Assignment a) {
        AttemptId id = a.id();
        RunFiles.AttemptFiles attemptFiles = files.attempt(id);
        if (Files.exists(attemptFiles.dir())) {
            // a supervisor that died launched it without a journal line: keep its files, take the next number
            state.reserveAttemptNumber(id.replicate(), id.attempt());
            return;
        }
        Slot slot = a.slot();
        Task task = task(a, attemptFiles);
        LaunchRequest request = workerCommand.request(task, slot, attemptFiles);
        try {
            Files.createDirectories(attemptFiles.dir());
            Files.createDirectories(Path.of(task.checkpointDir()));
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(attemptFiles.task().toFile(), task);
        } catch (IOException e) {
            fatal("cannot write the attempt directory " + attemptFiles.dir() + ": " + IoFailure.reason(e));
            return;
        }
        Instant started = Instant.now();
        long startNanos = System.nanoTime();
        StandbyWorkers.Taken standby = handOff(slot, task, attemptFiles);
        AttemptHandle handle;
        try {
            handle = standby != null ? standby.handle() : launcher.launch(request);
        } catch (IOException e) {
            // the worker could not even start (a vanished executable, no more processes): a failed attempt
            Outcome failed = new Outcome(Instant.now(), Verdict.FAILED,
                    "cannot start the worker: " + IoFailure.reason(e), null, Map.of(), 0.0, null);
            journalOrStop(JournalEvent.Launch.of(started.toString(), id, slot.label(), slot.gpuLabel(),
                    LaunchIdentity.none(), attemptFiles.dir().toString()));
            journalOrStop(JournalEvent.End.of(failed.ended().toString(), id, failed));
            history.record(new AttemptRecord(id, slot.label(), slot.gpuLabel(), null, started, failed));
            display.event(new RunEvent.Finished(id, slot.label(), failed, attemptFiles.dir()));
            after(id, state.couldNotStart(a));
            return;
        }
        Running r = new Running(state.started(a), handle, attemptFiles, started, startNanos, standby);
        bySlot.put(slot.id(), r);
        // the journal's times are the record's own, so reports rebuilt from it (`report DIR`) say the same
        JournalEvent.Launch launched = JournalEvent.Launch.of(started.toString(), id, slot.label(), slot.gpuLabel(),
                handle.identity(), attemptFiles.dir().toString());
        journalOrStop(standby == null ? launched : launched.fromStandby(standby.since().toString()));
        follow(r);
        handle.identified().thenAccept(known -> events.add(new Identified(r, known)));
        LaunchIdentity where = handle.identity();
        display.event(new RunEvent.Launched(id, slot.label(), (where.jobId() != null ? "job " + where.jobId()
                : where.pid() != null ? "pid " + where.pid() : "submitting") + (standby != null ? ", started ahead" : "")));
        requestReport();
    }

    /**
     * The slot's standby worker, handed this attempt; null when there is none that can take it, and a
     * worker is to be started for it.
     */
    private StandbyWorkers.Taken handOff(Slot slot, Task task, RunFiles.AttemptFiles attemptFiles) {
        if (standbys == null) {
            return null;
        }
        StandbyWorkers.Taken taken = standbys.take(slot, task.model()).orElse(null);
        if (taken == null) {
            return null;
        }
        try {
            standbys.handOff(taken, WorkerCommand.taskEnvironment(task, attemptFiles), attemptFiles);
            return taken;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot hand {} to its standby worker ({}); starting a worker for it", attemptFiles.dir(),
                    IoFailure.reason(e));
            standbys.discard(taken);
            return null;
        }
    }

    /** The loop hears of the attempt's start and of its end as events, whichever thread completes them. */
    private void follow(Running r) {
        CompletableFuture<Instant> began = r.handle.started();
        if (began.isDone() && !began.isCompletedExceptionally()) {
            began(r, began.join()); // a local process: its clock runs from now, not from the next event
        } else {
            began.thenAccept(at -> events.add(new Began(r, at)));
        }
        r.handle.exit().whenComplete((exit, failure) -> events.add(new Exited(r, exit, failure)));
    }

    /**
     * A dead supervisor's attempt, taken over on a slot as if launched here. Its clocks run from when
     * it really launched and started, so a job that ran past --timeout while no supervisor watched is
     * killed at the first tick.
     */
    private void adopt(Adopted a) {
        AttemptRecord rec = a.record();
        RunState.Attempt attempt = state.adopt(rec.id())
                .orElseThrow(() -> new IllegalStateException("no free slot for adopted " + rec.id().label()));
        long now = System.nanoTime();
        long agoNanos = Math.max(0, Duration.between(rec.started(), Instant.now()).toNanos());
        Running r = new Running(attempt, a.handle(), files.attempt(rec.id()), rec.started(), now - agoNanos, null);
        bySlot.put(attempt.slot.id(), r);
        follow(r);
        LaunchIdentity where = a.handle().identity();
        display.event(new RunEvent.Launched(rec.id(), attempt.slot.label(), "adopted " + (where.jobId() != null
                ? "job " + where.jobId() : "attempt")));
        requestReport();
    }

    /**
     * The worker runs: its watchdog starts, from when the backend says it began, never before its
     * launch nor after now (the two clocks may disagree a little).
     */
    private void began(Running r, Instant at) {
        if (r.watchdog != null) {
            return;
        }
        long now = System.nanoTime();
        long agoNanos = Math.max(0, Duration.between(at, Instant.now()).toNanos());
        long startNanos = Math.max(r.launchNanos, now - agoNanos);
        r.watchdog = new AttemptWatchdog(limits, startNanos);
        LaunchIdentity where = r.handle.identity();
        if (where.jobId() != null && r.exit == null && r.state.phase == RunState.Phase.RUNNING) {
            // a cluster job left the queue: where it runs is news for `status` and the journal
            journalOrStop(JournalEvent.Began.of(at.toString(), r.state.id, where.node()));
        }
    }

    private void handle(Event e) {
        if (e instanceof Identified i && i.identity().jobId() != null) {
            // the launch line went without it: a later supervisor finds the job by this line
            journalOrStop(JournalEvent.Submitted.of(Instant.now().toString(), i.attempt().state.id,
                    i.identity().jobId()));
        } else if (e instanceof Began b) {
            began(b.attempt(), b.at());
        } else if (e instanceof Exited x) {
            exited(x.attempt(), x.exit(), x.failure());
        } else if (e instanceof Over o) {
            over(o.attempt(), o.signalled(), o.problem());
        } else if (e instanceof StopRequested s) {
            if (state.stopping() && stopSignal != null) {
                display.event(new RunEvent.StillStopping(s.signal(), bySlot.size()));
                return;
            }
            stopSignal = s.signal();
            stop(s.status(), "stopped by " + s.signal(), "interrupted by " + s.signal());
        } else if (e instanceof HealthRead h) {
            h.sick().forEach((gpu, reason) -> {
                if (!state.quarantined(gpu) && slots.stream().anyMatch(s -> s.gpuLabel().equals(gpu))) {
                    state.quarantine(gpu, reason);
                    quarantined(gpu, reason);
                }
            });
        }
    }

    /** The worker ended: from now on its exit decides, and what it left behind is swept before the slot is free. */
    private void exited(Running r, WorkerExit exit, Throwable failure) {
        if (r.exit != null) {
            return; // seen already, when a stop or watchdog found it exited before its event came
        }
        r.exit = exit != null ? exit
                : new WorkerExit(null, Verdict.FAILED, "the backend lost track of it: " + rootMessage(failure));
        state.exited(r.state);
        r.handle.end(spec.killGrace()).whenComplete((signalled, problem) ->
                events.add(new Over(r, signalled == null ? 0 : signalled, problem)));
    }

    private void over(Running r, int signalled, Throwable problem) {
        if (problem != null) {
            log.error("{}: cleaning up its processes failed: {}", r.state.id.label(), rootMessage(problem));
        }
        AttemptId id = r.state.id;
        Slot slot = r.state.slot;
        bySlot.remove(slot.id());
        Outcome outcome = judge(r, signalled, problem != null);
        if (r.standby != null) {
            standbys.release(r.standby);
        }
        AttemptRecord rec = new AttemptRecord(id, slot.label(), slot.gpuLabel(), null, r.started, outcome,
                r.standby == null ? null : r.standby.since());
        history.record(rec);
        journalOrStop(JournalEvent.End.of(outcome.ended().toString(), id, outcome));
        display.event(new RunEvent.Finished(id, slot.label(), outcome, r.files.dir()));
        if (outcome.completed()) {
            completedSeconds += outcome.durationS();
            completedHere++;
            state.completedIn(id.model(), outcome.durationS());
        }
        after(id, state.ended(r.state, outcome.verdict()));
        if (outcome.verdict() == Verdict.BAD_TASK) {
            stop(ExitStatus.BAD_INPUT, "bad task: " + id.label() + " exited 2"
                    + (outcome.stderrTail() == null ? " (stderr empty)" : "; its stderr ends with:\n  "
                            + outcome.stderrTail().replace("\n", "\n  ")),
                    "run stopped: another attempt reported a bad task");
        }
        requestReport();
    }

    /** The verdict that stands, with its reason, metrics and stderr tail. */
    private Outcome judge(Running r, int signalled, boolean endFailed) {
        WorkerExit exit = r.exit;
        Verdict verdict;
        String reason;
        Map<String, Double> metrics = Map.of();
        ResultCheck result = null;
        // A kill that found nothing left to signal ended nothing: the worker had ended by itself, and
        // its exit decides. Locally that is a same-tick race; a cluster job's end is learnt a poll late,
        // so a watchdog or a stop may well order a kill of a job that had already completed.
        boolean killEndedIt = r.state.killVerdict != null && (signalled > 0 || endFailed);
        if (killEndedIt) {
            verdict = r.state.killVerdict;
            reason = r.state.killReason;
        } else if (exit.verdict() != null) {
            verdict = exit.verdict();
            reason = exit.reason();
        } else {
            Judgement j = Judgement.of(exit.status(), r.files.result());
            verdict = j.verdict();
            reason = j.reason();
            metrics = j.metrics();
            result = j.result();
            if (signalled > 0 && r.state.killVerdict == null) {
                String note = signalled + " leftover process(es) killed after the worker exited";
                reason = reason == null ? note : reason + "; " + note;
            }
        }
        if (verdict == Verdict.COMPLETED && result != null) {
            checkDevice(r, result);
        }
        double seconds = r.ranSeconds(System.nanoTime());
        String tail = verdict == Verdict.COMPLETED || verdict == Verdict.INTERRUPTED ? null
                : StderrTail.of(r.files.stderr());
        return new Outcome(Instant.now(), verdict, reason, exit.status(), metrics, seconds, tail);
    }

    /** A GPU slot whose worker says it computed on the CPU is a machine problem, said at once. */
    private void checkDevice(Running r, ResultCheck result) {
        Slot slot = r.state.slot;
        if (slot.cpu() || result.device() == null || !ResultCheck.computedOnCpu(result.device())
                || spec.allowCpuFallback() || state.stopping()) {
            return;
        }
        String missing = result.cudaMissing().isEmpty() ? "" : "; CUDA libraries not found: "
                + String.join(", ", result.cudaMissing());
        stop(ExitStatus.BAD_INPUT, "GPU " + slot.gpuLabel() + ": " + r.state.id.label() + " computed on the CPU ("
                + result.device() + ")" + missing + ". Run scripts/run.sh doctor; --allow-cpu-fallback lets such a "
                + "run go on", "run stopped: a GPU slot computed on the CPU");
    }

    /** What an ended attempt changed for the run: a replicate given up, a GPU quarantined. */
    private void after(AttemptId id, RunState.Consequences c) {
        if (c.gaveUp()) {
            display.event(new RunEvent.GaveUp(id, state.replicate(id.replicate()).failures));
        }
        if (c.quarantinedGpu() != null) {
            quarantined(c.quarantinedGpu(), c.quarantineReason());
        }
    }

    private void quarantined(String gpu, String reason) {
        if (standbys != null) {
            standbys.endOn(slots.stream().filter(s -> s.gpuLabel().equals(gpu)).toList());
        }
        journalOrStop(new JournalEvent.Quarantine(Instant.now().toString(), gpu, reason));
        display.event(new RunEvent.Quarantined(gpu, reason));
        requestReport();
    }

    private void tick() {
        long now = System.nanoTime();
        if (!state.stopping()) {
            for (Running r : List.copyOf(bySlot.values())) {
                if (r.state.phase != RunState.Phase.RUNNING || r.handle.exit().isDone()) {
                    continue; // an exit already on its way decides, not a watchdog
                }
                if (r.watchdog == null) {
                    continue; // still in the cluster's queue: no clock runs yet
                }
                if (limits.watchesProgress()) {
                    observeProgress(r, now);
                }
                OptionalLong memory = limits.watchesMemory() ? r.handle.memoryBytes() : OptionalLong.empty();
                r.watchdog.check(now, memory).ifPresent(k -> kill(r, k.verdict(), k.reason()));
            }
        }
        display.update(snapshot(now));
        maybeWriteReports(now);
    }

    private static void observeProgress(Running r, long now) {
        Path progress = r.files.progress();
        try {
            r.watchdog.observeProgress(Files.size(progress), Files.getLastModifiedTime(progress).toMillis(), now);
        } catch (IOException noProgressYet) {
            r.watchdog.observeProgress(-1, -1, now);
        }
    }

    private void kill(Running r, Verdict verdict, String reason) {
        if (r.handle.exit().isDone()) {
            exitedAlready(r); // it exited before this kill: its exit decides (its event may still be queued)
            return;
        }
        if (!state.killRequested(r.state, verdict, reason)) {
            return;
        }
        startKill(r);
    }

    private void exitedAlready(Running r) {
        WorkerExit exit = r.handle.exit().isCompletedExceptionally() ? null : r.handle.exit().getNow(null);
        exited(r, exit, exit == null ? new IllegalStateException("its exit could not be read") : null);
    }

    private void startKill(Running r) {
        journalOrStop(JournalEvent.Kill.of(Instant.now().toString(), r.state.id, r.state.killVerdict,
                r.state.killReason));
        display.event(new RunEvent.Killing(r.state.id, r.state.slot.label(), r.state.killVerdict, r.state.killReason));
        r.handle.end(spec.killGrace()); // its completion shows as the worker's exit
    }

    /** The one stop path: signals, a bad task, a full disk, a GPU that computed on the CPU. */
    private void stop(ExitStatus status, String cause, String killReason) {
        boolean first = !state.stopping();
        // attempts whose worker already exited are judged by their exit, not by the stop
        for (Running r : List.copyOf(bySlot.values())) {
            if (r.state.phase == RunState.Phase.RUNNING && r.handle.exit().isDone()) {
                exitedAlready(r);
            }
        }
        List<RunState.Attempt> toKill = state.stop(status, cause, killReason);
        if (standbys != null) {
            standbys.endAll();
        }
        if (first) {
            display.event(new RunEvent.Stopping(cause.lines().findFirst().orElse(cause), bySlot.size()));
        }
        for (RunState.Attempt a : toKill) {
            startKill(bySlot.get(a.slot.id()));
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
        if (!state.stopping()) {
            stop(ExitStatus.INCOMPLETE, problem, "run stopped: " + problem);
        }
    }

    private void requestReport() {
        reportWanted = true;
    }

    /**
     * Mid-run reports are written on a thread of their own, from a snapshot taken at most once a
     * second and only while no earlier write is busy, so a slow report page never delays a launch
     * and a run of 20,000 attempts copies its list a few thousand times, not 20,000.
     */
    private void maybeWriteReports(long now) {
        if (!reportWanted || now - lastReportNanos < REPORT_EVERY_NANOS || !reportBusy.compareAndSet(false, true)) {
            return;
        }
        reportWanted = false;
        lastReportNanos = now;
        List<AttemptRecord> snapshot = snapshotForReports();
        Map<String, String> quarantined = Map.copyOf(state.quarantinedGpus());
        reportWriter.execute(() -> {
            try {
                writeReports(snapshot, null, quarantined);
            } finally {
                reportBusy.set(false);
            }
        });
    }

    private void writeFinalReports() {
        reportWriter.shutdown();
        try {
            reportWriter.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeReports(snapshotForReports(), Instant.now(), Map.copyOf(state.quarantinedGpus()));
    }

    private List<AttemptRecord> snapshotForReports() {
        List<AttemptRecord> all = new ArrayList<>(history.attempts().size() + bySlot.size());
        for (AttemptRecord a : history.attempts()) {
            if (!a.running()) {
                all.add(a); // an adopted attempt's record is open in the history; bySlot has it
            }
        }
        for (Running r : bySlot.values()) {
            all.add(new AttemptRecord(r.state.id, r.state.slot.label(), r.state.slot.gpuLabel(), null, r.started,
                    null, r.standby == null ? null : r.standby.since()));
        }
        return all;
    }

    private void writeReports(List<AttemptRecord> attempts, Instant runEnd, Map<String, String> quarantined) {
        try {
            reports.write(attempts, runStart, runEnd, quarantined);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // reports are rebuilt from the journal at any time (`report DIR`); a failure here must not stop the run
            log.warn("cannot write reports: {}", e instanceof Exception ex ? IoFailure.reason(ex) : e.toString());
        }
    }

    private ProgressSnapshot snapshot(long now) {
        List<String> running = new ArrayList<>(bySlot.size());
        for (Running r : bySlot.values()) {
            running.add(r.state.slot.label() + ":r" + r.state.id.replicate());
        }
        Duration elapsed = Duration.ofNanos(now - loopStartNanos);
        Duration eta = null;
        if (completedHere > 0) {
            int left = state.required() - state.completed();
            double mean = completedSeconds / completedHere;
            eta = Duration.ofMillis((long) (mean * 1000 * Math.ceil(left / (double) Math.max(1, state.slotCount()))));
        }
        return new ProgressSnapshot(state.completed(), state.required(), running, state.slotCount(),
                state.failedAttempts(), elapsed, eta);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c == null ? "unknown" : String.valueOf(c.getMessage());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
