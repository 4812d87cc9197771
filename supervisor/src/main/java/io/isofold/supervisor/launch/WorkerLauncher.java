package io.isofold.supervisor.launch;

import java.io.IOException;

/** Starts attempts. Local processes now; a cluster backend would be a second implementation. */
public interface WorkerLauncher {
    LaunchedAttempt launch(LaunchRequest request) throws IOException;
}
