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
 * <p>Statistics are written here rather than borrowed: {@link io.isofold.supervisor.report.StudentT} (CDF and
 * quantile through the regularized incomplete beta function), per-metric mean, sample std and t interval
 * ({@link io.isofold.supervisor.report.MetricStats}), and the corrected resampled t-test of Nadeau and Bengio
 * for paired cross-validation replicates ({@link io.isofold.supervisor.report.PairedComparison}).
 */
package io.isofold.supervisor.report;
