package io.isofold.supervisor.slurm;

import java.util.Set;

/**
 * What the supervisor needs to know of a Slurm job's state. Slurm's own name is kept beside it in
 * {@link SlurmJobStatus#slurmState()} for people to read.
 */
public enum SlurmJobState {
    /** Waiting in the queue (also after a requeue, or held). */
    PENDING,
    /** Has a node: configuring, running, suspended, or its processes are being ended (COMPLETING). */
    RUNNING,
    /** The batch script exited 0. */
    COMPLETED,
    /** The batch script exited non-zero or was killed by a signal. */
    FAILED,
    /** Slurm's {@code --time} ran out. */
    TIMEOUT,
    /** Slurm's cgroup OOM handling killed it (only with task/cgroup; see {@link SlurmClient}). */
    OUT_OF_MEMORY,
    /** scancel, by us or by an administrator. */
    CANCELLED,
    NODE_FAIL,
    PREEMPTED,
    BOOT_FAIL,
    /** Not started or not finished before its {@code --deadline}. */
    DEADLINE,
    /** A state this client does not know; treated as still going, so that nothing is judged on a guess. */
    UNKNOWN;

    private static final Set<String> WAITING = Set.of("PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
            "SPECIAL_EXIT", "RESV_DEL_HOLD");
    private static final Set<String> ON_A_NODE = Set.of("CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED",
            "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING");

    /** @param slurmState as squeue prints it, e.g. {@code RUNNING}, {@code OUT_OF_MEMORY} */
    public static SlurmJobState of(String slurmState) {
        String s = slurmState.strip().toUpperCase(java.util.Locale.ROOT);
        if (WAITING.contains(s)) {
            return PENDING;
        }
        if (ON_A_NODE.contains(s)) {
            return RUNNING;
        }
        try {
            return valueOf(s);
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    /** The job is over and will not run again: its exit code is final. */
    public boolean ended() {
        return this != PENDING && this != RUNNING && this != UNKNOWN;
    }

    /** Ended through no fault of the worker: the issue says retry it without counting the attempt. */
    public boolean clusterFault() {
        return this == NODE_FAIL || this == PREEMPTED || this == BOOT_FAIL;
    }
}
