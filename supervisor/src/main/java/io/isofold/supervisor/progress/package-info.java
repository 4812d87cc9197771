/**
 * What a person watching a run sees: a live line on a terminal, plain log lines elsewhere, both fed
 * {@link io.isofold.supervisor.progress.RunEvent}s and snapshots by the run loop and never blocking it.
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, report, launch, watch, gpu.
 */
package io.isofold.supervisor.progress;
