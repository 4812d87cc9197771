package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.RunFiles;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one attempt.
 *
 * @param environment variables set on top of the supervisor's own environment
 * @param files       the attempt's directory, where its output, exit status and result go
 */
public record LaunchRequest(List<String> command, Map<String, String> environment, RunFiles.AttemptFiles files) {
    public LaunchRequest {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }
}
