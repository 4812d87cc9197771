/**
 * GPUs: detection with {@code nvidia-smi}, the slots a run's attempts are pinned to, health counters that
 * take a sick GPU out of a run, and what the CUDA libraries and cache need.
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, report, progress, launch, watch, journal.
 */
package io.isofold.supervisor.gpu;
