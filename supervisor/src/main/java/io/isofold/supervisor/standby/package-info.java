/**
 * Standby workers: a launcher ({@link io.isofold.supervisor.standby.StandbyLauncher}) that starts each
 * busy slot's next worker ahead of its task and hands it the task when the slot frees. The run loop does not
 * know they exist.
 *
 * <p>Never imports: cli, schedule, slurm, report, progress.
 */
package io.isofold.supervisor.standby;
