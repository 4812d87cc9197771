package io.isofold.supervisor.launch;

/**
 * A started attempt.
 *
 * @param sessionId  the session (and process group) the attempt runs in
 * @param startTicks the child's start time in clock ticks since boot, from /proc: with the pid it
 *                   identifies the process for good, also after a supervisor restart
 */
public record LaunchedAttempt(Process process, long pid, long sessionId, long startTicks) {}
