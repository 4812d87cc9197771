package io.isofold.supervisor.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one attempt.
 *
 * @param environment variables set on top of the supervisor's own environment
 */
public record LaunchRequest(List<String> command, Map<String, String> environment, Path attemptDir, Path stdout, Path stderr) {
    public LaunchRequest {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }
}
