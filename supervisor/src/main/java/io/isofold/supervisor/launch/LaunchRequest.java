package io.isofold.supervisor.launch;

import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one attempt ({@link WorkerCommand#request}).
 *
 * @param task        what the attempt runs; null where a backend is handed a bare command (tests)
 * @param slot        where it runs; null as with {@code task}
 * @param environment variables set on top of the supervisor's own environment
 * @param files       the attempt's directory, where its output, exit status and result go
 * @param workdir     the folder the worker starts in; null for the supervisor's own
 */
public record LaunchRequest(Task task, Slot slot, List<String> command, Map<String, String> environment,
        RunFiles.AttemptFiles files, Path workdir) {
    public LaunchRequest {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }

    /** A bare command, of no task or slot. */
    public LaunchRequest(List<String> command, Map<String, String> environment, RunFiles.AttemptFiles files) {
        this(null, null, command, environment, files, null);
    }
}
