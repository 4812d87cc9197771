package io.isofold.supervisor.schedule;

import io.isofold.supervisor.gpu.HealthWatch;
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
import io.isofold.supervisor.outcome.AttemptJudge;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.progress.ProgressSnapshot;
import io.isofold.supervisor.progress.RunEvent;
import io.isofold.supervisor.report.ReportSchedule;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * thread of their own ({@link ReportSchedule}).
 *
 * <p>What the loop does not do itself: starting an attempt ({@link AttemptStarter}), judging how one
 * ended ({@link AttemptJudge}), deciding what runs next ({@link RunState}), and whether a launch runs
 * a fresh worker or one started ahead (the launcher's business).
 */
public final class RunLoop {
    private static final Logger log = LoggerFactory.getLogger(RunLoop.class);
    private static final long TICK_MILLIS = 200;
    private static final Duration HEALTH_EVERY = Duration.ofSeconds(30);
    /** A gap this long between two ticks means the supervisor itself was stopped (SIGSTOP) or starved. */
    private static final long PAUSED_NANOS = 3_000_000_000L;

    private sealed interface Event permits Identified, Began, Exited, Over, StopRequested, HealthRead {}

    /** The backend named the attempt for good after its launch (a cluster job's id, once sbatch answered). */
    private record Identified(RunningAttempt attempt, LaunchIdentity identity) implements Event {}

    /** The worker began to run (a cluster job left the queue), at {@code at} by the backend's clock. */
    private record Began(RunningAttempt attempt, Instant at) implements Event {}

    /** The worker ended (or the backend lost track of it: {@code failure}). */
    private record Exited(RunningAttempt attempt, WorkerExit exit, Throwable failure) implements Event {}

    /** Nothing of the attempt runs any more. */
    private record Over(RunningAttempt attempt, int signalled, Throwable problem) implements Event {}

    private record StopRequested(String signal, ExitStatus status) implements Event {}

    private record HealthRead(Map<String, String> sick) implements Event {}

    /** An attempt a dead supervisor launched that still runs where the backend can follow it: the loop takes it over. */
    public record Adopted(AttemptRecord record, AttemptHandle handle) {}

    private final RunSpec spec;
    private final List<Slot> slots;
    private final WorkerLauncher launcher;
    private final AttemptStarter starter;
    private final AttemptJudge judge;
    private final Journal journal;
    private final RunHistory history;
    private final ProgressDisplay display;
    private final ReportSchedule reports;
    /** Null when no GPU is watched. */
    private final HealthWatch health;
    private final RunState state;
    private final AttemptWatchdog.Limits limits;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<Integer, RunningAttempt> bySlot = new LinkedHashMap<>();
    private final Instant runStart;
    private final long loopStartNanos = System.nanoTime();
    private final boolean resumed;
    private final List<Adopted> adopted;
    private long lastTickNanos;
    /** Whether what the run expects to launch next may have changed since the launcher was last told. */
    private boolean expectationsStale = true;
    private String stopSignal;
    private double completedSeconds;
    private int completedHere;

    /**
     * @param history the run's history so far, settled by {@link RunSetup} (every unfinished attempt in it is
     *                one of {@code adopted}), or an empty one for a new run; the loop adds to it
     * @param adopted attempts a dead supervisor launched that the loop goes on watching; at most one per slot
     * @param health  null when no GPU is watched
     */
    public RunLoop(RunSpec spec, List<Slot> slots, WorkerCommand command, WorkerLauncher launcher, Journal journal,
            RunHistory history, List<Adopted> adopted, ProgressDisplay display, ReportSchedule.Sink reports,
            HealthWatch.Probe health) {
        this.spec = spec;
        this.slots = List.copyOf(slots);
        this.launcher = launcher;
        this.starter = new AttemptStarter(spec, new RunFiles(spec.outDir()), command, launcher);
        this.judge = new AttemptJudge(spec.allowCpuFallback());
        this.journal = journal;
        this.history = history;
        this.display = display;
        this.reports = new ReportSchedule(reports);
        this.health = health == null ? null : new HealthWatch(health);
        this.limits = new AttemptWatchdog.Limits(spec.timeout(), spec.stallTimeout(), spec.maxMemoryBytes());
        this.state = RunState.replayed(spec, slots, history);
        this.runStart = history.firstStart() != null ? history.firstStart() : Instant.now();
        this.resumed = !history.attempts().isEmpty();
        this.adopted = List.copyOf(adopted);
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
                handle(new HealthRead(health.readNow())); // before any launch: a sick GPU gets no attempt at all
                health.start(HEALTH_EVERY, sick -> events.add(new HealthRead(sick)));
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
            launcher.expect(List.of()); // nothing more will launch: a launcher ends what it prepared
            ExitStatus status = state.exitStatus();
            String reason = state.shortfall();
            reports.writeFinal(reportSnapshot(Instant.now()));
            try {
                journal.append(new JournalEvent.RunEnd(Instant.now().toString(), status.code(), reason));
            } catch (IOException e) {
                log.error("cannot write the journal's last line: {}", IoFailure.reason(e));
            }
            display.event(new RunEvent.Ended(status, reason));
            return status;
        } finally {
            if (health != null) {
                health.close();
            }
            reports.close();
            display.close();
        }
    }

    /** Why the run stopped or ended short, or null when it completed. */
    public String stopReason() {
        return state.shortfall();
    }

    private void fillSlots() {
        while (!state.stopping()) {
            Optional<RunState.Assignment> next = state.next();
            if (next.isEmpty()) {
                break;
            }
            launch(next.get());
        }
        if (expectationsStale) {
            expectationsStale = false;
            launcher.expect(expected());
        }
    }

    /** What would start on each busy slot once it frees: no more than there are attempts left to start. */
    private List<LaunchRequest> expected() {
        List<LaunchRequest> next = new ArrayList<>();
        Optional<RunState.Assignment> upcoming = state.upcoming();
        int waiting = upcoming.isEmpty() ? 0 : state.waiting();
        for (Slot slot : slots) {
            if (next.size() < waiting && bySlot.containsKey(slot.id()) && !state.quarantined(slot.gpuLabel())) {
                next.add(starter.expected(upcoming.get().on(slot)));
            }
        }
        return next;
    }

    private void launch(RunState.Assignment a) {
        AttemptId id = a.id();
        Slot slot = a.slot();
        AttemptStarter.Start start = starter.start(a);
        expectationsStale = true;
        if (start instanceof AttemptStarter.NumberTaken) {
            state.reserveAttemptNumber(id.replicate(), id.attempt());
        } else if (start instanceof AttemptStarter.CannotWrite w) {
            fatal(w.problem());
        } else if (start instanceof AttemptStarter.Failed f) {
            journalOrStop(JournalEvent.Launch.of(f.at().toString(), id, slot.label(), slot.gpuLabel(),
                    LaunchIdentity.none(), f.files().dir().toString()));
            journalOrStop(JournalEvent.End.of(f.outcome().ended().toString(), id, f.outcome()));
            history.record(new AttemptRecord(id, slot.label(), slot.gpuLabel(), null, f.at(), f.outcome()));
            display.event(new RunEvent.Finished(id, slot.label(), f.outcome(), f.files().dir()));
            after(id, state.couldNotStart(a));
        } else if (start instanceof AttemptStarter.Launched l) {
            RunningAttempt r = new RunningAttempt(state.started(a), l.handle(), l.files(), l.at(), l.nanos());
            bySlot.put(slot.id(), r);
            // the journal's times are the record's own, so reports rebuilt from it (`report DIR`) say the same
            JournalEvent.Launch launched = JournalEvent.Launch.of(l.at().toString(), id, slot.label(),
                    slot.gpuLabel(), l.handle().identity(), l.files().dir().toString());
            Instant ahead = l.handle().preparedSince();
            journalOrStop(ahead == null ? launched : launched.fromStandby(ahead.toString()));
            follow(r);
            l.handle().identified().thenAccept(known -> events.add(new Identified(r, known)));
            LaunchIdentity where = l.handle().identity();
            display.event(new RunEvent.Launched(id, slot.label(), (where.jobId() != null ? "job " + where.jobId()
                    : where.pid() != null ? "pid " + where.pid() : "submitting") + (ahead != null ? ", started ahead" : "")));
            reports.request();
        }
    }

    /** The loop hears of the attempt's start and of its end as events, whichever thread completes them. */
    private void follow(RunningAttempt r) {
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
        long agoNanos = Math.max(0, Duration.between(rec.started(), Instant.now()).toNanos());
        RunningAttempt r = new RunningAttempt(attempt, a.handle(), starter.files(rec.id()), rec.started(),
                System.nanoTime() - agoNanos);
        bySlot.put(attempt.slot.id(), r);
        follow(r);
        LaunchIdentity where = a.handle().identity();
        display.event(new RunEvent.Launched(rec.id(), attempt.slot.label(), "adopted " + (where.jobId() != null
                ? "job " + where.jobId() : "attempt")));
        reports.request();
    }

    /**
     * The worker runs: its watchdog starts, from when the backend says it began, never before its
     * launch nor after now (the two clocks may disagree a little).
     */
    private void began(RunningAttempt r, Instant at) {
        if (r.watchdog != null) {
            return;
        }
        long now = System.nanoTime();
        long agoNanos = Math.max(0, Duration.between(at, Instant.now()).toNanos());
        r.watchdog = new AttemptWatchdog(limits, Math.max(r.launchNanos, now - agoNanos));
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
    private void exited(RunningAttempt r, WorkerExit exit, Throwable failure) {
        if (r.exit != null) {
            return; // seen already, when a stop or watchdog found it exited before its event came
        }
        r.exit = exit != null ? exit
                : new WorkerExit(null, Verdict.FAILED, "the backend lost track of it: " + rootMessage(failure));
        state.exited(r.state);
        r.handle.end(spec.killGrace()).whenComplete((signalled, problem) ->
                events.add(new Over(r, signalled == null ? 0 : signalled, problem)));
    }

    private void over(RunningAttempt r, int signalled, Throwable problem) {
        if (problem != null) {
            log.error("{}: cleaning up its processes failed: {}", r.state.id.label(), rootMessage(problem));
        }
        AttemptId id = r.state.id;
        bySlot.remove(r.state.slot.id());
        expectationsStale = true;
        AttemptJudge.Judged judged = judge.judge(r.exit, r.kill(), signalled, problem != null, r.files, r.state.slot,
                id.label(), r.ranSeconds(System.nanoTime()));
        Outcome outcome = judged.outcome();
        history.record(r.record(outcome));
        journalOrStop(JournalEvent.End.of(outcome.ended().toString(), id, outcome));
        display.event(new RunEvent.Finished(id, r.state.slot.label(), outcome, r.files.dir()));
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
        } else if (judged.stopRun() != null && !state.stopping()) {
            stop(ExitStatus.BAD_INPUT, judged.stopRun(), "run stopped: a GPU slot computed on the CPU");
        }
        reports.request();
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
        expectationsStale = true;
        journalOrStop(new JournalEvent.Quarantine(Instant.now().toString(), gpu, reason));
        display.event(new RunEvent.Quarantined(gpu, reason));
        reports.request();
    }

    private void tick() {
        long now = System.nanoTime();
        // after a pause of the supervisor itself, exits that happened meanwhile are still on their way: they
        // decide, not a watchdog that finds the time has run out
        boolean paused = lastTickNanos != 0 && now - lastTickNanos > PAUSED_NANOS;
        lastTickNanos = now;
        if (!state.stopping() && !paused) {
            for (RunningAttempt r : List.copyOf(bySlot.values())) {
                if (r.state.phase != RunState.Phase.RUNNING || r.handle.exit().isDone() || r.watchdog == null) {
                    continue; // an exit on its way decides; a job still in the cluster's queue runs no clock
                }
                if (limits.watchesProgress()) {
                    observeProgress(r, now);
                }
                OptionalLong memory = limits.watchesMemory() ? r.handle.memoryBytes() : OptionalLong.empty();
                r.watchdog.check(now, memory).ifPresent(k -> kill(r, verdict(k.limit()), k.reason()));
            }
        }
        display.update(snapshot(now));
        reports.tick(now, () -> reportSnapshot(null));
    }

    private static Verdict verdict(AttemptWatchdog.Limit limit) {
        return switch (limit) {
            case TIMEOUT -> Verdict.TIMEOUT;
            case STALL -> Verdict.STALL;
            case MEMORY -> Verdict.MEMORY;
        };
    }

    private static void observeProgress(RunningAttempt r, long now) {
        Path progress = r.files.progress();
        try {
            r.watchdog.observeProgress(Files.size(progress), Files.getLastModifiedTime(progress).toMillis(), now);
        } catch (IOException noProgressYet) {
            r.watchdog.observeProgress(-1, -1, now);
        }
    }

    private void kill(RunningAttempt r, Verdict verdict, String reason) {
        if (r.handle.exit().isDone()) {
            exitedAlready(r); // it exited before this kill: its exit decides (its event may still be queued)
            return;
        }
        if (r.handle.endedUnheard() || !state.killRequested(r.state, verdict, reason)) {
            return; // ended, its exit on its way; or exited, or being killed, already
        }
        startKill(r);
    }

    private void exitedAlready(RunningAttempt r) {
        WorkerExit exit = r.handle.exit().isCompletedExceptionally() ? null : r.handle.exit().getNow(null);
        exited(r, exit, exit == null ? new IllegalStateException("its exit could not be read") : null);
    }

    private void startKill(RunningAttempt r) {
        journalOrStop(JournalEvent.Kill.of(Instant.now().toString(), r.state.id, r.state.killVerdict,
                r.state.killReason));
        display.event(new RunEvent.Killing(r.state.id, r.state.slot.label(), r.state.killVerdict, r.state.killReason));
        r.handle.end(spec.killGrace()); // its completion shows as the worker's exit
    }

    /** The one stop path: signals, a bad task, a full disk, a GPU that computed on the CPU. */
    private void stop(ExitStatus status, String cause, String killReason) {
        boolean first = !state.stopping();
        // attempts whose worker already exited are judged by their exit, not by the stop
        for (RunningAttempt r : List.copyOf(bySlot.values())) {
            if (r.state.phase == RunState.Phase.RUNNING && r.handle.exit().isDone()) {
                exitedAlready(r);
            }
        }
        List<RunState.Attempt> toKill = state.stop(status, cause, killReason);
        expectationsStale = true;
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

    private ReportSchedule.Snapshot reportSnapshot(Instant runEnd) {
        List<AttemptRecord> all = new ArrayList<>(history.attempts().size() + bySlot.size());
        for (AttemptRecord a : history.attempts()) {
            if (!a.running()) {
                all.add(a); // an adopted attempt's record is open in the history; bySlot has it
            }
        }
        for (RunningAttempt r : bySlot.values()) {
            all.add(r.record(null));
        }
        return new ReportSchedule.Snapshot(all, runStart, runEnd, Map.copyOf(state.quarantinedGpus()));
    }

    private ProgressSnapshot snapshot(long now) {
        List<String> running = new ArrayList<>(bySlot.size());
        for (RunningAttempt r : bySlot.values()) {
            running.add(r.state.slot.label() + ":r" + r.state.id.replicate());
        }
        Duration eta = null;
        if (completedHere > 0) {
            double left = state.required() - state.completed();
            double mean = completedSeconds / completedHere;
            eta = Duration.ofMillis((long) (mean * 1000 * Math.ceil(left / Math.max(1, state.slotCount()))));
        }
        return new ProgressSnapshot(state.completed(), state.required(), running, state.slotCount(),
                state.failedAttempts(), Duration.ofNanos(now - loopStartNanos), eta);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c == null ? "unknown" : String.valueOf(c.getMessage());
    }
}
