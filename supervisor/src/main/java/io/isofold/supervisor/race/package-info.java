/**
 * Racing variants ({@code --race}): which variants are significantly worse than the current best and are
 * dropped. {@link io.isofold.supervisor.race.Race} decides one step (pure: no clock, no files), {@link
 * io.isofold.supervisor.race.RaceState} walks the steps in order for the run loop, taking the journal's
 * eliminations as recorded on a resume, and {@link io.isofold.supervisor.race.Elimination} is one decision
 * with its journal line. The reports read the journal's lines, never this package.
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, progress, launch, watch, gpu, exec, proc.
 */
package io.isofold.supervisor.race;
