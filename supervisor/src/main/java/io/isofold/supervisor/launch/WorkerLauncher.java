package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.RunFiles;
import java.io.IOException;
import io.isofold.supervisor.journal.LaunchIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where attempts run: local processes ({@link LocalLauncher}), or a cluster scheduler's jobs. The run
 * loop knows nothing else of a backend.
 */
public interface WorkerLauncher {

    /** Starts one attempt. Throws when the worker could not be started at all (a failed attempt). */
    AttemptHandle launch(LaunchRequest request) throws IOException;

    /**
     * What the run expects to launch next on its busy slots, at most one per slot: a launcher that can
     * start a slot's next worker ahead of its task does so (see {@code standby.StandbyLauncher}), and ends
     * those it started for slots no longer named. The guess may prove wrong; {@link #launch} decides.
     * Called from the run loop's thread whenever the run's state changed; empty when the run stops.
     */
    default void expect(List<LaunchRequest> next) {}

    /**
     * On resume, for an attempt a dead supervisor left without an end: either a handle to go on
     * watching it (a cluster job still queued or running), or how it ended, after whatever was left
     * of it has been ended.
     */
    Recovery recover(AttemptRecord unfinished, RunFiles.AttemptFiles files, Duration grace) throws InterruptedException;

    /**
     * On resume, before {@link #recover}: attempts of this run the backend still knows that the journal
     * may not name, because a supervisor died between starting one and writing its launch line. The
     * caller keeps those the journal does not name and recovers them like any unfinished attempt.
     * Local processes are not listed here: they are found by their attempt directory and killed.
     */
    default List<Found> launchedAttempts() throws InterruptedException {
        return List.of();
    }

    /**
     * On resume, after {@link #recover}: ends whatever of the run's attempts still runs unknown to the
     * journal (a process a dead supervisor had just started). Returns, per attempt directory, how many
     * processes were ended. A cluster backend ends nothing: its jobs were found and adopted instead.
     */
    default Map<String, Integer> endLeftovers(RunFiles run, Duration grace) throws InterruptedException {
        return Map.of();
    }

    /**
     * Whether {@link #recover} ends what is left of an attempt it cannot follow (local processes), rather
     * than adopting it (a cluster job): then a resume first records that its supervisor, not its worker, is
     * why it ended, in case the resume itself is killed while it ends it.
     */
    default boolean endsWhatItRecovers() {
        return false;
    }

    /** An attempt a backend found by itself: which one, and how to find it again. */
    record Found(int replicate, int attempt, LaunchIdentity identity, Instant started) {}

    /** What {@link #recover} found. */
    sealed interface Recovery {
        /** Still running where the backend can follow it: the loop adopts it. */
        record Adopted(AttemptHandle handle) implements Recovery {}

        /**
         * Not running any more. {@code exitStatus} is the worker's, when it ended by itself and the
         * launcher's wrapper recorded it; {@code killed} how many processes it left were ended now.
         */
        record Ended(Integer exitStatus, int killed) implements Recovery {}
    }
}
