/**
 * The Slurm backend: one batch job per attempt, submitted, polled and cancelled through the cluster's own
 * commands ({@code sbatch}, {@code squeue}, {@code scancel}), behind the same launcher interface as local
 * processes.
 *
 * <p>Never imports: cli, schedule, standby, outcome, report, progress.
 */
package io.isofold.supervisor.slurm;
