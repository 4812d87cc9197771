package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.LaunchIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One started attempt, as the run loop sees it whatever runs it (a local process tree, a cluster
 * job). The loop never blocks on a handle: exits and ends arrive as completed futures.
 *
 * <p>What a handle guarantees: {@link #exit} completes once, when the worker itself has ended, with
 * how it ended; {@link #end} makes sure nothing of the attempt runs any more and may be called any
 * number of times, from any thread: the first call starts the work and every call returns the same
 * future, so no two killers ever work on one attempt. What it does not guarantee: that the worker
 * had no way out (a process that clears its environment and leaves both session and tree, or a
 * container started through a daemon, is beyond it), or that {@link #memoryBytes} is exact.
 */
public interface AttemptHandle {

    /** What the journal records so a later supervisor can find this attempt again. */
    LaunchIdentity identity();

    /**
     * Completes with {@link #identity} once it names the attempt for good: at once for a local
     * process; for a cluster job when the scheduler has accepted it (submission runs off the run
     * loop's thread, so a job's id comes later than its launch). Completes exceptionally for a job
     * that was never accepted: its {@link #exit} says why.
     */
    default CompletableFuture<LaunchIdentity> identified() {
        return CompletableFuture.completedFuture(identity());
    }

    /**
     * Completes when the worker begins to run, with when that was by the backend's account: at launch
     * for a local process; for a cluster job, when the scheduler started it, which may be hours after
     * it was submitted. The watchdogs' clocks (--timeout, --stall-timeout) run from here, so time spent
     * waiting in a queue counts against neither. Never completes for a job that ended without running.
     */
    CompletableFuture<Instant> started();

    /** Completes when the worker has ended, with its exit status or the backend's account of it. */
    CompletableFuture<WorkerExit> exit();

    /**
     * Ends every process of the attempt: SIGTERM (or the backend's equivalent), up to {@code grace}
     * to go, then SIGKILL, until none is left. After {@link #exit} it sweeps what the worker left
     * behind. Completes with the number of processes that had to be signalled.
     */
    CompletableFuture<Integer> end(Duration grace);

    /** When the attempt's worker was started ahead of its task, as a standby; null when it was started for it. */
    default Instant preparedSince() {
        return null;
    }

    /**
     * Whether the worker has ended though {@link #exit} may not have heard yet (its backend's thread has
     * not run: a supervisor stopped with SIGSTOP and continued finds its workers' ends late). A kill
     * ordered now would end nothing; its exit is on its way.
     */
    default boolean endedUnheard() {
        return false;
    }

    /**
     * When the worker ended by the backend's record, or null where unknown: the end of its duration when
     * its exit was heard late.
     */
    default Instant endedAt() {
        return null;
    }

    /** What the attempt's processes really use (shared pages counted once), or empty where unknown. Cheap. */
    OptionalLong memoryBytes();
}
