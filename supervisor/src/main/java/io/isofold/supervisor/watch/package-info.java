/**
 * Watching and ending local processes: which processes belong to an attempt (session, tree and the
 * environment marker every one of them inherits), killing all of them with a grace, and the watchdog that
 * decides when an attempt is past its limits. Knows nothing of verdicts or journals.
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, report, progress, launch, journal, gpu.
 */
package io.isofold.supervisor.watch;
