/**
 * How an attempt ended: the contract's test of a result file ({@link
 * io.isofold.supervisor.outcome.ResultCheck}), the verdict of an exit status ({@code Judgement}), the verdict
 * that stands when a kill came first ({@link io.isofold.supervisor.outcome.AttemptJudge}), and the lines of
 * stderr that say why ({@link io.isofold.supervisor.outcome.StderrTail}).
 *
 * <p>Never imports: cli, schedule, standby, slurm, report, progress.
 */
package io.isofold.supervisor.outcome;
