package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.RunFiles;
import java.io.IOException;
import java.time.Duration;

/**
 * Where attempts run: local processes ({@link LocalLauncher}), or a cluster scheduler's jobs. The run
 * loop knows nothing else of a backend.
 */
public interface WorkerLauncher {

    /** Starts one attempt. Throws when the worker could not be started at all (a failed attempt). */
    AttemptHandle launch(LaunchRequest request) throws IOException;

    /**
     * On resume, for an attempt a dead supervisor left without an end: either a handle to go on
     * watching it (a cluster job still queued or running), or how it ended, after whatever was left
     * of it has been ended.
     */
    Recovery recover(AttemptRecord unfinished, RunFiles.AttemptFiles files, Duration grace) throws InterruptedException;

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
