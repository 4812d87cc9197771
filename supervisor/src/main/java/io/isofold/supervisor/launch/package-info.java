/**
 * Where attempts run, as the run loop sees it: {@link io.isofold.supervisor.launch.WorkerLauncher} (local
 * processes now, {@code slurm} jobs beside it), the handle of a started attempt, and {@link
 * io.isofold.supervisor.launch.WorkerCommand}, which turns a task and a slot into a command and environment.
 * A new backend implements {@code WorkerLauncher} and {@code AttemptHandle}.
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, report, progress.
 */
package io.isofold.supervisor.launch;
