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
 *
 * <p>A small {@code sh} stands between setsid and the worker and writes the worker's exit status to
 * {@value #EXIT_STATUS_FILE} in the attempt directory. If the supervisor dies while the worker runs,
 * the next supervisor reads the status there and judges the attempt as it would have, instead of
 * running a completed replicate again. The worker's arguments reach it as "$@", never parsed by
 * the shell, so they arrive literally.
 */
public final class LocalLauncher implements WorkerLauncher {
    public static final String EXIT_STATUS_FILE = "exit_status";

    // The trap keeps the wrapper alive through a SIGTERM so that it reports the worker's own status
    // (a worker that ignores TERM is still running); a caught signal, unlike an ignored one, is reset
    // to its default in the worker. One short write: a reader sees the whole number or, mid-write,
    // an unparsable file it ignores.
    private static final String WRAPPER = "trap : TERM INT; \"$@\"; s=$?; "
            + "printf '%s\\n' \"$s\" > \"$ISOFOLD_ATTEMPT_DIR/" + EXIT_STATUS_FILE + "\"; exit \"$s\"";

    @Override
    public LaunchedAttempt launch(LaunchRequest request) throws IOException {
        List<String> argv = new ArrayList<>(request.command().size() + 6);
        // --wait: should setsid have to fork, it still waits and passes on the worker's exit status
        argv.add("setsid");
        argv.add("--wait");
        argv.add("/bin/sh");
        argv.add("-c");
        argv.add(WRAPPER);
        argv.add("isofold-attempt"); // $0 of the wrapper, as ps shows it
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
