package io.isofold.shared;

/** Names of the environment variables every attempt receives (the worker contract: docs/worker-contract.md). */
public final class WorkerEnv {
    public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";
    public static final String REPLICATE = "ISOFOLD_REPLICATE";
    public static final String FOLD = "ISOFOLD_FOLD";
    public static final String FOLDS = "ISOFOLD_FOLDS";
    /** The replicate's index within its variant (shuffle x folds + fold); ISOFOLD_REPLICATE numbers across variants. */
    public static final String INDEX = "ISOFOLD_INDEX";
    /** Which repetition of K-fold the replicate belongs to, from 0. */
    public static final String SHUFFLE = "ISOFOLD_SHUFFLE";
    /** The seed (0..2^31-1) to split the data into folds with: the same for every variant and fold of a shuffle. */
    public static final String SPLIT_SEED = "ISOFOLD_SPLIT_SEED";
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
     * The replicate's checkpoint directory (per variant and replicate), kept across its attempts so a retry
     * can continue where the last attempt got to. The worker owns what is inside.
     */
    public static final String CHECKPOINT_DIR = "ISOFOLD_CHECKPOINT_DIR";
    /** The built-in worker's TensorFlow threads on a CPU slot, so that CPU workers share the cores. */
    public static final String THREADS = "ISOFOLD_THREADS";
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

    /** The built-in worker's exit status when it saw its supervisor die: not the attempt's fault. */
    public static final int EXIT_SUPERVISOR_LOST = 3;

    private WorkerEnv() {}
}
