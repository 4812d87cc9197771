package io.isofold.supervisor.schedule;

import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.progress.RunEvent;
import io.isofold.supervisor.report.ReportSchedule;
import io.isofold.supervisor.progress.Eta;
import io.isofold.supervisor.progress.ProgressSnapshot;
import io.isofold.supervisor.spec.ExitStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes down what happened in a run, each kind of event the same way every time: the journal first (the
 * record that survives the supervisor), then the history the reports are made from, then what a person
 * watching is shown. A journal that cannot be written is reported to the run loop, which stops the run:
 * what is recorded stays valid.
 *
 * <p>The run loop's thread only.
 */
final class RunRecord {
    private static final Logger log = LoggerFactory.getLogger(RunRecord.class);
    private final Journal journal;
    private final RunHistory history;
    private final ProgressDisplay display;
    private final ReportSchedule reports;
    private final Consumer<String> journalFailed;
    private final Instant runStart;
    private final boolean resumed;
    private final Eta eta = new Eta();
    private final ContinuedLookup continued = new ContinuedLookup();

    /** @param journalFailed told why, when a journal line could not be written */
    RunRecord(Journal journal, RunHistory history, ProgressDisplay display, ReportSchedule reports,
            Consumer<String> journalFailed) {
        this.journal = journal;
        this.history = history;
        this.display = display;
        this.reports = reports;
        this.journalFailed = journalFailed;
        this.runStart = history.firstStart() != null ? history.firstStart() : Instant.now();
        this.resumed = !history.attempts().isEmpty();
    }

    void runBegan(Path dir, RunState state) {
        display.event(new RunEvent.Began(dir, resumed, state.required(), state.completed(), state.slotCount(),
                state.spent(), state.budget()));
    }

    void runEnded(ExitStatus status, String reason) {
        try {
            journal.append(new JournalEvent.RunEnd(Instant.now().toString(), status.code(), reason));
        } catch (IOException e) {
            log.error("cannot write the journal's last line: {}", IoFailure.reason(e));
        }
        display.event(new RunEvent.Ended(status, reason));
    }

    void stopping(String cause, int running) {
        display.event(new RunEvent.Stopping(cause.lines().findFirst().orElse(cause), running));
    }

    void stillStopping(String signal, int running) {
        display.event(new RunEvent.StillStopping(signal, running));
    }

    /** @param checkpoint what its checkpoint directory held ({@link Checkpoints.Given}'s label) */
    void launched(RunningAttempt r, String checkpoint) {
        AttemptId id = r.state.id;
        Slot slot = r.state.slot;
        // the journal's times are the record's own, so reports rebuilt from it (`report DIR`) say the same
        JournalEvent.Launch launch = JournalEvent.Launch.of(r.started.toString(), id, slot.label(), slot.gpuLabel(),
                r.handle.identity(), r.files.dir().toString());
        Instant ahead = r.handle.preparedSince();
        journal((ahead == null ? launch : launch.fromStandby(ahead.toString())).withCheckpoint(checkpoint));
        continued.launched(id, r.files.progress(), Checkpoints.Given.KEPT.label().equals(checkpoint));
        LaunchIdentity where = r.handle.identity();
        display.event(new RunEvent.Launched(id, slot.label(), (where.jobId() != null ? "job " + where.jobId()
                : where.pid() != null ? "pid " + where.pid() : "submitting") + (ahead != null ? ", started ahead" : "")));
        reports.request();
    }

    /** A worker that could not be started: a launch with no process, and its end at once. */
    void couldNotStart(AttemptId id, Slot slot, AttemptStarter.Failed f) {
        journal(JournalEvent.Launch.of(f.at().toString(), id, slot.label(), slot.gpuLabel(), LaunchIdentity.none(),
                f.files().dir().toString()));
        journal(JournalEvent.End.of(f.outcome().ended().toString(), id, f.outcome()));
        history.record(new AttemptRecord(id, slot.label(), slot.gpuLabel(), null, f.at(), f.outcome()));
        display.event(new RunEvent.Finished(id, slot.label(), f.outcome(), f.files().dir()));
        reports.request();
    }

    /** A dead supervisor's attempt, taken over: its launch is in the journal already. */
    void adopted(RunningAttempt r) {
        LaunchIdentity where = r.handle.identity();
        display.event(new RunEvent.Launched(r.state.id, r.state.slot.label(), "adopted " + (where.jobId() != null
                ? "job " + where.jobId() : "attempt")));
        reports.request();
    }

    /** The scheduler accepted the attempt's job: a later supervisor finds the job by this line. */
    void submitted(AttemptId id, String jobId) {
        journal(JournalEvent.Submitted.of(Instant.now().toString(), id, jobId));
    }

    /** A cluster job left the queue: where it runs is news for `status` and the journal. */
    void began(AttemptId id, Instant at, String node) {
        journal(JournalEvent.Began.of(at.toString(), id, node));
    }

    void killing(RunningAttempt r) {
        journal(JournalEvent.Kill.of(Instant.now().toString(), r.state.id, r.state.killVerdict, r.state.killReason));
        display.event(new RunEvent.Killing(r.state.id, r.state.slot.label(), r.state.killVerdict, r.state.killReason));
    }

    void ended(RunningAttempt r, Outcome judged) {
        // the journal holds each metric's declared direction once: from the first attempt that declared it
        Outcome outcome = judged.withDirections(history.undeclared(judged.directions()));
        continued.ended(r.state.id);
        if (outcome.completed()) {
            eta.completed(outcome.durationS());
        }
        history.record(r.record(outcome));
        journal(JournalEvent.End.of(outcome.ended().toString(), r.state.id, outcome));
        display.event(new RunEvent.Finished(r.state.id, r.state.slot.label(), outcome, r.files.dir()));
        reports.request();
    }

    /** @param why why it was given up before --max-attempts, or null */
    void gaveUp(AttemptId last, int failures, String why) {
        display.event(new RunEvent.GaveUp(last, failures, why));
    }

    /** The race dropped a variant: the line first, so a resume never runs it again. */
    void eliminated(JournalEvent.Eliminated line, int ending, int racing) {
        journal(line);
        history.apply(line);
        reports.eliminated(line);
        display.event(new RunEvent.Eliminated(line, ending, racing));
        reports.request();
    }

    void quarantined(String gpu, String reason) {
        journal(new JournalEvent.Quarantine(Instant.now().toString(), gpu, reason));
        display.event(new RunEvent.Quarantined(gpu, reason));
        reports.request();
    }

    /** Where the run stands, on the display now and in the reports when they are due. */
    void show(Collection<RunningAttempt> running, long nowNanos, long elapsedNanos, RunState state, int eliminated) {
        display.update(progressSnapshot(running, elapsedNanos, state, eliminated));
        reports.tick(nowNanos, () -> reportSnapshot(running, null, state));
    }

    /** The run's last reports, written before its last journal line. */
    void finalReports(Collection<RunningAttempt> running, RunState state) {
        reports.writeFinal(reportSnapshot(running, Instant.now(), state));
    }

    /** The display and the report writer are done. */
    void close() {
        reports.close();
        display.close();
    }

    private ProgressSnapshot progressSnapshot(Collection<RunningAttempt> running, long elapsedNanos, RunState state,
            int eliminated) {
        List<ProgressSnapshot.Running> busy = new ArrayList<>(running.size());
        long now = System.nanoTime();
        for (RunningAttempt r : running) {
            AttemptId id = r.state.id;
            busy.add(new ProgressSnapshot.Running(r.state.slot.label(), id.replicate(), id.model(), id.fold(),
                    continued.label(id, now)));
        }
        return new ProgressSnapshot(state.completed(), state.required(), busy, state.slotCount(),
                state.failedAttempts(), Duration.ofNanos(elapsedNanos),
                eta.left(state.required() - state.completed(), state.slotCount()), eliminated);
    }

    /** Every attempt so far, ended or running, for the reports; {@code runEnd} null while the run goes on. */
    private ReportSchedule.Snapshot reportSnapshot(Collection<RunningAttempt> running, Instant runEnd, RunState state) {
        List<AttemptRecord> all = new ArrayList<>(history.attempts().size() + running.size());
        for (AttemptRecord a : history.attempts()) {
            if (!a.running()) {
                all.add(a); // an adopted attempt's record is open in the history; the running ones have it
            }
        }
        for (RunningAttempt r : running) {
            all.add(r.record(null));
        }
        return new ReportSchedule.Snapshot(all, runStart, runEnd, Map.copyOf(state.quarantinedGpus()));
    }

    /** The GPUs an earlier session quarantined that a resume named in --gpus are back; the history forgets them. */
    void liftQuarantines(List<Slot> slots, Set<Integer> named) {
        for (Slot s : slots) {
            String reason = history.quarantined().get(s.gpuLabel());
            if (reason != null && s.gpu() != null && named.contains(s.gpu())) {
                JournalEvent.QuarantineLifted lifted = new JournalEvent.QuarantineLifted(Instant.now().toString(),
                        s.gpuLabel(), reason);
                journal(lifted);
                history.apply(lifted);
                log.info("GPU {} is back in the run (--gpus names it); it had been quarantined: {}", s.gpuLabel(),
                        reason);
            }
        }
    }

    private void journal(JournalEvent event) {
        try {
            journal.append(event);
        } catch (IOException e) {
            journalFailed.accept("cannot write the journal: " + IoFailure.reason(e));
        }
    }
}
