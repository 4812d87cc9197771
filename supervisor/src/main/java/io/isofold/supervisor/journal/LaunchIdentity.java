package io.isofold.supervisor.journal;

/**
 * What names a started attempt for good, so that a later supervisor finds it again and never takes
 * a stranger for it. Locally: the pid with its start time in clock ticks since boot and the boot's
 * id (a pid alone is reused, and start ticks restart at every boot), and the session the launcher
 * made. On a cluster: the job id and the node it ran on. What a backend has not is null.
 */
public record LaunchIdentity(Long pid, Long sid, Long startTicks, String bootId, String jobId, String node) {

    public static LaunchIdentity process(long pid, long sid, long startTicks, String bootId) {
        return new LaunchIdentity(pid, sid, startTicks, bootId, null, null);
    }

    public static LaunchIdentity job(String jobId, String node) {
        return new LaunchIdentity(null, null, null, null, jobId, node);
    }

    public static LaunchIdentity none() {
        return new LaunchIdentity(null, null, null, null, null, null);
    }

    /** Same as {@code this} with the job id, once the scheduler has accepted the job. */
    public LaunchIdentity withJob(String id) {
        return new LaunchIdentity(pid, sid, startTicks, bootId, id, node);
    }

    /** Same as {@code this} with the node, once the scheduler has placed the job. */
    public LaunchIdentity onNode(String where) {
        return new LaunchIdentity(pid, sid, startTicks, bootId, jobId, where);
    }
}
