package io.isofold.supervisor.slurm;

import java.time.Instant;

/**
 * One job as one {@code squeue} (or {@code scontrol show job}) call saw it.
 *
 * @param slurmState Slurm's own name of the state, e.g. {@code COMPLETING}
 * @param exitCode   the batch script's exit status; null while the job has not ended, or when a signal ended it
 * @param signal     the signal that ended the batch script, else null
 * @param node       the node the batch script runs or ran on; null while pending
 * @param reason     why it waits or why it ended ({@code Resources}, {@code Priority}, {@code TimeLimit}...);
 *                   null when Slurm says {@code None}
 * @param started    when it started running; null while pending
 * @param preempted  Slurm chose it for preemption (its PreemptTime is set), whether or not it then ended as
 *                   PREEMPTED: a job that ends by itself during the partition's GraceTime ends COMPLETED or FAILED.
 *                   Only {@code scontrol show job} tells; squeue's answers say false
 */
public record SlurmJobStatus(long jobId, String name, SlurmJobState state, String slurmState, Integer exitCode,
        Integer signal, String node, String reason, Instant started, boolean preempted) {

    public SlurmJobStatus(long jobId, String name, SlurmJobState state, String slurmState, Integer exitCode,
            Integer signal, String node, String reason, Instant started) {
        this(jobId, name, state, slurmState, exitCode, signal, node, reason, started, false);
    }
}
