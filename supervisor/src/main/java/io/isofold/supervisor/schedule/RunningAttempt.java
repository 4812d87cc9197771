package io.isofold.supervisor.schedule;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.WorkerExit;
import io.isofold.supervisor.outcome.AttemptJudge;
import io.isofold.supervisor.watch.AttemptWatchdog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A launched attempt as the run loop follows it: its state in the run, its handle in the backend, its
 * files, and, once the worker runs, its watchdog. A cluster job waiting in the queue has no watchdog
 * yet: waiting is not running. Owned by the loop's thread.
 */
final class RunningAttempt {
    final RunState.Attempt state;
    final AttemptHandle handle;
    final RunFiles.AttemptFiles files;
    /** When it was launched (submitted, for a cluster job): the journal's and the reports' start. */
    final Instant started;
    final long launchNanos;
    AttemptWatchdog watchdog;
    WorkerExit exit;

    RunningAttempt(RunState.Attempt state, AttemptHandle handle, RunFiles.AttemptFiles files, Instant started,
            long launchNanos) {
        this.state = state;
        this.handle = handle;
        this.files = files;
        this.started = started;
        this.launchNanos = launchNanos;
    }

    /** A dead supervisor's attempt, taken over: its clock runs from when it really launched. */
    static RunningAttempt adopted(RunState.Attempt state, AttemptHandle handle, RunFiles.AttemptFiles files,
            Instant launched) {
        long agoNanos = Math.max(0, Duration.between(launched, Instant.now()).toNanos());
        return new RunningAttempt(state, handle, files, launched, System.nanoTime() - agoNanos);
    }

    /**
     * The worker runs: its watchdog starts, from when the backend says it began, never before its launch
     * nor after now (the two clocks may disagree a little). False when it had begun already.
     */
    boolean began(Instant at, AttemptWatchdog.Limits limits) {
        if (watchdog != null) {
            return false;
        }
        long now = System.nanoTime();
        long agoNanos = Math.max(0, Duration.between(at, Instant.now()).toNanos());
        watchdog = new AttemptWatchdog(limits, Math.max(launchNanos, now - agoNanos));
        return true;
    }

    /**
     * Seconds the worker ran: 0 for a job that never left the queue; up to when it ended by the backend's
     * record where that is known (an exit heard late, after the supervisor itself was stopped, is not
     * time the worker ran).
     */
    double ranSeconds(long nowNanos) {
        if (watchdog == null) {
            return 0.0;
        }
        Duration ran = watchdog.elapsed(nowNanos);
        Instant ended = handle.endedAt();
        if (ended != null) {
            Duration since = Duration.between(ended, Instant.now());
            if (!since.isNegative() && since.compareTo(ran) < 0) {
                ran = ran.minus(since);
            }
        }
        return ran.toMillis() / 1000.0;
    }

    /** The kill its watchdog orders now, if any, looking at the progress file and the memory as the limits need. */
    Optional<AttemptJudge.Kill> due(long nowNanos, AttemptWatchdog.Limits limits) {
        if (limits.watchesProgress()) {
            Path progress = files.progress();
            try {
                watchdog.observeProgress(Files.size(progress), Files.getLastModifiedTime(progress).toMillis(),
                        nowNanos);
            } catch (IOException noProgressYet) {
                watchdog.observeProgress(-1, -1, nowNanos);
            }
        }
        return watchdog.check(nowNanos, limits.watchesMemory() ? handle.memoryBytes() : OptionalLong.empty())
                .map(k -> new AttemptJudge.Kill(switch (k.limit()) {
                    case TIMEOUT -> Verdict.TIMEOUT;
                    case STALL -> Verdict.STALL;
                    case MEMORY -> Verdict.MEMORY;
                }, k.reason()));
    }

    /** The kill the supervisor ordered, or null. */
    AttemptJudge.Kill kill() {
        return state.killVerdict == null ? null : new AttemptJudge.Kill(state.killVerdict, state.killReason);
    }

    AttemptRecord record(Outcome outcome) {
        return new AttemptRecord(state.id, state.slot.label(), state.slot.gpuLabel(), null, started, outcome,
                handle.preparedSince());
    }
}
