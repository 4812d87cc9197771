/**
 * The run's durable record: the output directory's names ({@link io.isofold.supervisor.journal.RunFiles}),
 * the append-only {@code journal.jsonl} and its events, the history read back from it, and the lock that keeps
 * two supervisors off one run.
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, report, progress, launch, watch, gpu, exec.
 */
package io.isofold.supervisor.journal;
