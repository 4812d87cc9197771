package io.isofold.supervisor.schedule;

import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.launch.WorkerExit;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.outcome.AttemptJudge;
import io.isofold.supervisor.race.Elimination;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.report.ReportSchedule;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.watch.AttemptWatchdog;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    /** A gap this long between two ticks means the supervisor itself was stopped (SIGSTOP) or starved. */
    private static final long PAUSED_NANOS = 3_000_000_000L;

    private final RunSpec spec;
    private final List<Slot> slots;
    private final WorkerLauncher launcher;
    private final AttemptStarter starter;
    private final AttemptJudge judge;
    private final RunRecord record;
    private final RunState state;
    /** Null when the run does not race its variants. */
    private final Racing racing;
    private final AttemptWatchdog.Limits limits;
    private final LinkedBlockingQueue<LoopEvent> events = new LinkedBlockingQueue<>();
    private final Map<Integer, RunningAttempt> bySlot = new LinkedHashMap<>();
    private final long loopStartNanos = System.nanoTime();
    private final List<RunSetup.Adopted> adopted;
    private long lastTickNanos;
    /** Whether what the run expects to launch next may have changed since the launcher was last told. */
    private boolean expectationsStale = true;
    private String stopSignal;

    /**
     * @param history the run's history so far, settled by {@link RunSetup} (every unfinished attempt in it is
     *                one of {@code adopted}), or an empty one for a new run; the loop adds to it
     * @param adopted attempts a dead supervisor launched that the loop goes on watching; at most one per slot
     * @param liftedGpus GPU indices a resume named in --gpus: back in the run if an earlier session quarantined them
     */
    public RunLoop(RunSpec spec, List<Slot> slots, WorkerCommand command, WorkerLauncher launcher, Journal journal,
            RunHistory history, List<RunSetup.Adopted> adopted, ProgressDisplay display, ReportSchedule.Sink reports,
            Set<Integer> liftedGpus) {
        this.spec = spec;
        this.slots = List.copyOf(slots);
        this.launcher = launcher;
        this.starter = new AttemptStarter(spec, new RunFiles(spec.outDir()), command, launcher);
        this.judge = new AttemptJudge(spec.allowCpuFallback());
        this.record = new RunRecord(journal, history, display, new ReportSchedule(reports), this::fatal);
        this.limits = new AttemptWatchdog.Limits(spec.timeout(), spec.stallTimeout(), spec.maxMemoryBytes());
        this.adopted = List.copyOf(adopted);
        record.liftQuarantines(slots, liftedGpus); // before the state is made from the history
        this.state = RunState.replayed(spec, slots, history);
        this.racing = Racing.of(spec, history, state);
    }

    /** Asks the loop to stop as after a signal: running attempts are killed and recorded as interrupted. Any thread. */
    public void requestStop(String signal, ExitStatus status) {
        events.add(new LoopEvent.StopRequested(signal, status));
    }

    /** A reading of the GPUs' health: those named are taken out of the run. Any thread; before {@link #run}, too. */
    public void gpusSick(Map<String, String> sick) {
        events.add(new LoopEvent.HealthRead(sick));
    }

    /** Runs to the end; returns the exit status of the contract. */
    public ExitStatus run() throws InterruptedException {
        try {
            record.runBegan(spec.outDir(), state);
            adopted.forEach(this::adopt);
            if (racing != null) {
                eliminate(racing.decide()); // a resume completes what a crash cut short, and decides nothing else
            }
            for (LoopEvent e = events.poll(); e != null; e = events.poll()) {
                handle(e); // what came before the run (a GPU sick at the start gets no attempt at all)
            }
            fillSlots(); // slots first: the first attempts start at once, not a tick after the run began
            tick();
            while (!state.finished()) {
                for (LoopEvent e = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS); e != null; e = events.poll()) {
                    handle(e);
                }
                fillSlots();
                tick();
            }
            launcher.expect(List.of()); // nothing more will launch: a launcher ends what it prepared
            record.finalReports(bySlot.values(), state);
            record.runEnded(state.exitStatus(), state.shortfall());
            return state.exitStatus();
        } finally {
            record.close();
        }
    }

    /** Why the run stopped or ended short, or null when it completed. */
    public String stopReason() {
        return state.shortfall();
    }

    private void fillSlots() {
        for (Optional<RunState.Assignment> next; !state.stopping() && (next = state.next()).isPresent(); ) {
            launch(next.get());
        }
        if (expectationsStale) {
            expectationsStale = false;
            launcher.expect(starter.expected(state, slots.stream().filter(s -> bySlot.containsKey(s.id())).toList()));
        }
    }

    private void launch(RunState.Assignment a) {
        AttemptStarter.Start start = starter.start(a);
        expectationsStale = true;
        if (start instanceof AttemptStarter.NumberTaken) {
            state.reserveAttemptNumber(a.id().replicate(), a.id().attempt());
        } else if (start instanceof AttemptStarter.CannotWrite w) {
            fatal(w.problem());
        } else if (start instanceof AttemptStarter.Failed f) {
            record.couldNotStart(a.id(), a.slot(), f);
            after(a.id(), f.outcome(), state.couldNotStart(a, f.outcome()));
        } else if (start instanceof AttemptStarter.Launched l) {
            RunningAttempt r = new RunningAttempt(state.started(a), l.handle(), l.files(), l.at(), l.nanos());
            bySlot.put(a.slot().id(), r);
            record.launched(r, l.checkpoint().label());
            follow(r);
            l.handle().identified().thenAccept(known -> events.add(new LoopEvent.Identified(r, known)));
        }
    }

    /** The loop hears of the attempt's start and of its end as events, whichever thread completes them. */
    private void follow(RunningAttempt r) {
        CompletableFuture<Instant> began = r.handle.started();
        if (began.isDone() && !began.isCompletedExceptionally()) {
            began(r, began.join()); // a local process: its clock runs from now, not from the next event
        } else {
            began.thenAccept(at -> events.add(new LoopEvent.Began(r, at)));
        }
        r.handle.exit().whenComplete((exit, failure) -> events.add(new LoopEvent.Exited(r)));
    }

    /**
     * A dead supervisor's attempt, taken over on a slot as if launched here. Its clocks run from when
     * it really launched and started, so a job that ran past --timeout while no supervisor watched is
     * killed at the first tick.
     */
    private void adopt(RunSetup.Adopted a) {
        RunState.Attempt attempt = state.adopt(a.record().id())
                .orElseThrow(() -> new IllegalStateException("no free slot for adopted " + a.record().id().label()));
        RunningAttempt r = RunningAttempt.adopted(attempt, a.handle(), starter.files(attempt.id), a.record().started());
        bySlot.put(attempt.slot.id(), r);
        follow(r);
        record.adopted(r);
    }

    private void began(RunningAttempt r, Instant at) {
        if (r.began(at, limits) && r.handle.identity().jobId() != null && r.exit == null
                && r.state.phase == RunState.Phase.RUNNING) {
            record.began(r.state.id, at, r.handle.identity().node()); // a cluster job left the queue
        }
    }

    private void handle(LoopEvent e) {
        if (e instanceof LoopEvent.Identified i && i.identity().jobId() != null) {
            record.submitted(i.attempt().state.id, i.identity().jobId()); // the launch line went without it
        } else if (e instanceof LoopEvent.Began b) {
            began(b.attempt(), b.at());
        } else if (e instanceof LoopEvent.Exited x) {
            exited(x.attempt());
        } else if (e instanceof LoopEvent.Over o) {
            over(o.attempt(), o.signalled(), o.problem());
        } else if (e instanceof LoopEvent.StopRequested s) {
            if (state.stopping() && stopSignal != null) {
                record.stillStopping(s.signal(), bySlot.size());
                return;
            }
            stopSignal = s.signal();
            stop(s.status(), "stopped by " + s.signal(), "interrupted by " + s.signal());
        } else if (e instanceof LoopEvent.HealthRead h) {
            state.quarantineSick(h.sick()).forEach(this::quarantined);
        }
    }

    /**
     * The worker ended (its handle's exit is done): from now on its exit decides, and what it left behind is
     * swept before the slot is free.
     */
    private void exited(RunningAttempt r) {
        if (r.exit != null) {
            return; // seen already, when a stop or watchdog found it exited before its event came
        }
        r.exit = r.handle.exit().handle((exit, failure) -> exit != null ? exit : new WorkerExit(null, Verdict.FAILED,
                "the backend lost track of it: " + IoFailure.rootMessage(failure))).join();
        state.exited(r.state);
        r.handle.end(spec.killGrace()).whenComplete((signalled, problem) ->
                events.add(new LoopEvent.Over(r, signalled == null ? 0 : signalled, problem)));
    }

    private void over(RunningAttempt r, int signalled, Throwable problem) {
        if (problem != null) {
            log.error("{}: cleaning up its processes failed: {}", r.state.id.label(), IoFailure.rootMessage(problem));
        }
        AttemptId id = r.state.id;
        bySlot.remove(r.state.slot.id());
        expectationsStale = true;
        AttemptJudge.Judged judged = judge.judge(r.exit, r.kill(), signalled, problem != null, r.files, r.state.slot,
                id.label(), r.ranSeconds(System.nanoTime()));
        Outcome outcome = judged.outcome();
        record.ended(r, outcome);
        starter.ended(id, outcome.verdict());
        after(id, outcome, state.ended(r.state, outcome));
        if (judged.stop() != null) {
            stop(ExitStatus.BAD_INPUT, judged.stop().cause(), judged.stop().killReason());
        }
    }

    /** What an ended attempt changed for the run: a replicate given up, a GPU quarantined, the race, a stop. */
    private void after(AttemptId id, Outcome outcome, RunState.Consequences c) {
        if (c.gaveUp()) {
            record.gaveUp(id, state.replicate(id.replicate()).failures, c.gaveUpWhy());
        }
        if (c.quarantinedGpu() != null) {
            quarantined(c.quarantinedGpu(), c.quarantineReason());
        }
        if (racing != null) {
            eliminate(racing.ended(id, outcome, c.gaveUp()));
        }
        if (c.stop() != null) {
            stop(ExitStatus.INCOMPLETE, c.stop(), "run stopped: its first attempts all failed the same way");
        }
    }

    /** The race dropped these variants: each journaled first, then its running attempts ended, none started again. */
    private void eliminate(List<Elimination> decided) {
        for (Elimination e : decided) {
            List<RunState.Attempt> running = state.eliminate(e.variant());
            record.eliminated(e.event(Instant.now().toString(), racing.alpha()), running.size(), racing.racing());
            expectationsStale = true;
            for (RunState.Attempt a : running) {
                if (state.killRequested(a, Verdict.ELIMINATED, e.reason())) {
                    startKill(bySlot.get(a.slot.id()));
                }
            }
        }
    }

    private void quarantined(String gpu, String reason) {
        expectationsStale = true;
        record.quarantined(gpu, reason);
    }

    private void tick() {
        long now = System.nanoTime();
        // after a pause of the supervisor itself, exits that happened meanwhile are still on their way: they
        // decide, not a watchdog that finds the time has run out
        boolean paused = lastTickNanos != 0 && now - lastTickNanos > PAUSED_NANOS;
        lastTickNanos = now;
        if (!state.stopping() && !paused) {
            for (RunningAttempt r : List.copyOf(bySlot.values())) {
                if (r.state.phase == RunState.Phase.RUNNING && !r.handle.exit().isDone() && r.watchdog != null) {
                    // (an exit on its way decides; a job still in the cluster's queue runs no clock)
                    r.due(now, limits).ifPresent(k -> kill(r, k.verdict(), k.reason()));
                }
            }
        }
        record.show(bySlot.values(), now, now - loopStartNanos, state, racing == null ? 0 : racing.eliminated());
    }

    private void kill(RunningAttempt r, Verdict verdict, String reason) {
        if (r.handle.exit().isDone()) {
            exited(r); // it exited before this kill: its exit decides (its event may still be queued)
            return;
        }
        if (r.handle.endedUnheard() || !state.killRequested(r.state, verdict, reason)) {
            return; // ended, its exit on its way; or exited, or being killed, already
        }
        startKill(r);
    }

    private void startKill(RunningAttempt r) {
        record.killing(r);
        r.handle.end(spec.killGrace()); // its completion shows as the worker's exit
    }

    /** The one stop path: signals, a bad task, a full disk, a GPU that computed on the CPU. */
    private void stop(ExitStatus status, String cause, String killReason) {
        boolean first = !state.stopping();
        // attempts whose worker already exited are judged by their exit, not by the stop
        for (RunningAttempt r : List.copyOf(bySlot.values())) {
            if (r.state.phase == RunState.Phase.RUNNING && r.handle.exit().isDone()) {
                exited(r);
            }
        }
        List<RunState.Attempt> toKill = state.stop(status, cause, killReason);
        expectationsStale = true;
        if (first) {
            record.stopping(cause, bySlot.size());
        }
        for (RunState.Attempt a : toKill) {
            startKill(bySlot.get(a.slot.id()));
        }
    }

    /** The output directory cannot take more: stop cleanly, keeping what is recorded valid. */
    private void fatal(String problem) {
        log.error(problem);
        if (!state.stopping()) {
            stop(ExitStatus.INCOMPLETE, problem, "run stopped: " + problem);
        }
    }
}
