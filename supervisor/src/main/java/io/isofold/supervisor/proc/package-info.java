/**
 * Linux's process table as {@code /proc} shows it: pids with their start times, sessions, parents,
 * environments and memory, and the boot they belong to.
 *
 * <p>Never imports another package of the supervisor.
 */
package io.isofold.supervisor.proc;
