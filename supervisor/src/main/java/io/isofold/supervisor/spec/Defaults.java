package io.isofold.supervisor.spec;

/**
 * Every default of a run, in one place: the options' help, the spec a new run gets, and what a run.json
 * that lacks a field (written by an older isofold) is read with. Constants, so the help can quote them.
 */
public final class Defaults {
    public static final int FOLDS = 5;
    public static final long SEED = 42;
    public static final int WORKERS_PER_GPU = 1;
    public static final int CPU_WORKERS = 1;
    public static final int MAX_RUNNING = 8;
    public static final String KILL_GRACE = "10s";
    public static final int MAX_ATTEMPTS = 3;
    /** The attempt budget is this many attempts per required replicate. */
    public static final int BUDGET_PER_REPLICATE = 2;
    /** Attempts of one replicate that fail the same way before it is given up. */
    public static final int RETRY_IDENTICAL = 2;
    public static final String CHECKPOINT_EVERY = "10m";
    /** Each attempt's stdout.log and stderr.log keep their last this much: generous, yet no worker fills the disk. */
    public static final String MAX_LOG_SIZE = "1g";
    public static final int RACE_BURN_IN = 3;
    public static final double RACE_ALPHA = 0.05;
    public static final String RACE_ALPHA_TEXT = "0.05";

    private Defaults() {}
}
