package io.isofold.supervisor.launch;

import io.isofold.supervisor.watch.ProcessTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts an attempt as a local child process in a session and process group of its own, through
 * util-linux {@code setsid}: ProcessBuilder cannot do that itself, and a group of its own keeps a
 * terminal's Ctrl-C away from workers. Output goes straight to files, never through pipes, so no
 * pump thread can hang on a grandchild that keeps a pipe open.
 */
public final class LocalLauncher implements WorkerLauncher {

    @Override
    public LaunchedAttempt launch(LaunchRequest request) throws IOException {
        List<String> argv = new ArrayList<>(request.command().size() + 2);
        // --wait: should setsid have to fork, it still waits and passes on the worker's exit status
        argv.add("setsid");
        argv.add("--wait");
        argv.addAll(request.command());
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(request.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(request.stderr().toFile()));
        pb.environment().putAll(request.environment());
        Process process = pb.start();
        long pid = process.pid();
        // setsid runs in the child before it execs the worker; the session is the pid once it has
        ProcessTable.Entry entry = ProcessTable.read(pid).orElse(null);
        long startTicks = entry == null ? 0 : entry.startTicks();
        return new LaunchedAttempt(process, pid, pid, startTicks);
    }
}
