package io.isofold.shared;

/** Names of the environment variables every attempt receives (the contract in DESIGN.md). */
public final class WorkerEnv {
    public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";
    public static final String REPLICATE = "ISOFOLD_REPLICATE";
    public static final String FOLD = "ISOFOLD_FOLD";
    public static final String FOLDS = "ISOFOLD_FOLDS";
    public static final String ATTEMPT = "ISOFOLD_ATTEMPT";
    public static final String SEED = "ISOFOLD_SEED";
    public static final String GPU = "ISOFOLD_GPU";
    public static final String ATTEMPT_DIR = "ISOFOLD_ATTEMPT_DIR";
    public static final String TASK = "ISOFOLD_TASK";
    public static final String PROGRESS = "ISOFOLD_PROGRESS";
    public static final String RESULT = "ISOFOLD_RESULT";
    /** The variant's name ({@code cnn}, or a --models / --param variant's). */
    public static final String MODEL = "ISOFOLD_MODEL";
    /** The variant's params as a JSON object ({@code {}} for the built-in models). */
    public static final String PARAMS = "ISOFOLD_PARAMS";
    /**
     * PID of the supervisor that launched the attempt. Not part of the contract's table; the built-in
     * worker uses it to exit when the supervisor dies, since a JVM cannot ask for PR_SET_PDEATHSIG.
     */
    public static final String SUPERVISOR_PID = "ISOFOLD_SUPERVISOR_PID";

    /**
     * Set only for a standby worker (see {@link Handoff}): the file its task arrives in. A standby
     * prepares (loads its libraries, reads the data) and waits for that file; its other variables are
     * the slot's ({@code CUDA_VISIBLE_DEVICES}, {@code ISOFOLD_GPU}) and {@code ISOFOLD_TASK}, the task the
     * supervisor expects to hand it, to prepare for.
     */
    public static final String STANDBY = "ISOFOLD_STANDBY";

    /** Exit status of a worker that was given a task it cannot run; the supervisor does not retry it. */
    public static final int EXIT_BAD_TASK = 2;

    private WorkerEnv() {}
}
