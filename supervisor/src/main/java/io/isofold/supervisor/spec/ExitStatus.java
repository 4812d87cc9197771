package io.isofold.supervisor.spec;

/** The exit statuses of the contract. */
public enum ExitStatus {
    /** N replicates of every model completed. */
    COMPLETE(0),
    /** The run ended without them: budget spent, replicates given up, GPUs quarantined, the disk full. */
    INCOMPLETE(1),
    /** Bad usage or bad input, or a worker that said its task is bad. */
    BAD_INPUT(2),
    /** A bug: the message says so and keeps the trace. */
    INTERNAL_ERROR(70),
    /** Stopped by SIGINT (Ctrl-C): workers killed, journal closed, resumable. */
    INTERRUPTED(130),
    /** Stopped by SIGTERM: workers killed, journal closed, resumable. */
    TERMINATED(143);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Whether a resume would go on with the run (anything but a complete run or bad input). */
    public boolean resumable() {
        return this != COMPLETE && this != BAD_INPUT;
    }
}
