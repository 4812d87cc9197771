package io.isofold.supervisor.slurm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a line of {@code scontrol --oneliner show job} is read: {@code Key=value} fields separated by
 * spaces. Each key is taken where it first appears, so the worker's arguments, which come later in
 * {@code Command=} and may hold anything, cannot pass for a field.
 */
final class ScontrolFormat {
    private ScontrolFormat() {}

    /** The job of the line, or null when it is not one. */
    static SlurmJobStatus parseLine(String line) {
        String id = field(line, "JobId");
        String slurmState = field(line, "JobState");
        if (id == null || !id.matches("\\d+") || slurmState == null) {
            return null;
        }
        SlurmJobState state = SlurmJobState.of(slurmState);
        Integer exitCode = null;
        Integer signal = null;
        // ExitCode=<status>:<signal>, 0:0 while the job runs
        String exit = field(line, "ExitCode");
        if (state.ended() && exit != null && exit.matches("\\d+:\\d+")) {
            String[] parts = exit.split(":");
            int sig = Integer.parseInt(parts[1]);
            if (sig != 0) {
                signal = sig;
            } else {
                exitCode = Integer.parseInt(parts[0]);
            }
        }
        String node = SqueueFormat.present(String.valueOf(field(line, "BatchHost")));
        if (node == null) {
            node = SqueueFormat.present(String.valueOf(field(line, "NodeList")));
        }
        String startTime = field(line, "StartTime");
        String preemptTime = field(line, "PreemptTime");
        String name = field(line, "JobName");
        return new SlurmJobStatus(Long.parseLong(id), name == null ? "" : name, state, slurmState, exitCode, signal,
                state == SlurmJobState.PENDING ? null : node,
                SqueueFormat.present(String.valueOf(field(line, "Reason"))),
                state == SlurmJobState.PENDING || startTime == null ? null : SqueueFormat.time(startTime),
                preemptTime != null && SqueueFormat.time(preemptTime) != null);
    }

    private static String field(String line, String key) {
        Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(key) + "=(\\S*)").matcher(line);
        return m.find() ? m.group(1) : null;
    }
}
