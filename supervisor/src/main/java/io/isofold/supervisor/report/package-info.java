/**
 * Results people read: {@code results.csv}, {@code summary.json}, {@code report.html} and the end-of-run
 * table, all computed from a {@link io.isofold.supervisor.report.RunView} that the run loop builds from its
 * journal.
 *
 * <p>Entry points: {@link io.isofold.supervisor.report.RunReport#writeAll(RunView)} after every finished
 * attempt and at the end of a run (each file is replaced atomically, so readers never see half a file), and
 * {@link io.isofold.supervisor.report.RunReport#summaryTable(RunView)} for the terminal. The classes keep no
 * state between calls; everything is recomputed from the view, which for a few hundred attempts costs a few
 * tens of milliseconds, most of it reading progress files.
 *
 * <p>Which way a metric is better comes from the run's {@code --metric NAME:min|max} goals
 * ({@link io.isofold.supervisor.report.MetricGoals}, from the RunSpec live and from run.json's {@code metrics}
 * for {@code report DIR} and {@code status DIR}); else from what the workers' results declared (their
 * {@code directions}, kept by the journal's {@code end} lines); for any other metric it is guessed from the
 * name ({@link io.isofold.supervisor.spec.MetricDirection}) and every report marks it as guessed. The first
 * goal is the primary metric: the leaderboard's order (every table and the distribution chart list the
 * variants best first on it), the one each variant is compared with the best on, and the page's headline.
 * Comparisons with the best are adjusted for their number by Holm's method ({@link
 * io.isofold.supervisor.report.Holm}); summary.json keeps every pair besides. The run's time ("took") is the sum of the supervisors' sessions
 * ({@link io.isofold.supervisor.report.SupervisorSessions}), not the wall time since the first start.
 *
 * <p>Statistics are written here rather than borrowed: {@link io.isofold.supervisor.report.StudentT} (CDF and
 * quantile through the regularized incomplete beta function), per-metric mean, sample std and t interval
 * ({@link io.isofold.supervisor.report.MetricStats}), and the corrected resampled t-test of Nadeau and Bengio
 * for paired cross-validation replicates ({@link io.isofold.supervisor.report.PairedComparison}).
 *
 * <p>Never imports: cli, schedule, standby, slurm, outcome, progress, launch, watch, gpu, exec, proc.
 */
package io.isofold.supervisor.report;
