/**
 * The command line: one picocli command per subcommand ({@code run}, {@code resume}, {@code status},
 * {@code report}, {@code gpus}, {@code doctor}), turning options into a validated {@link
 * io.isofold.supervisor.spec.RunSpec} and wiring the run's parts together ({@code RunExecution}): the slots,
 * the worker command, the launcher, the journal and the loop. Bad input ends here as one line and exit 2.
 *
 * <p>Imports any package of the supervisor: it is the top.
 */
package io.isofold.supervisor.cli;
