package io.isofold.supervisor.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program the supervisor depends on ({@code nvidia-smi}, {@code sbatch},
 * {@code squeue}...) with a time limit that really holds.
 *
 * <p>Its output goes to temporary files, never through pipes: a program that hangs (a GPU that
 * fell off the bus makes nvidia-smi hang in the kernel) or leaves a child holding the pipe cannot
 * block the reader, so {@link #run} returns within {@code timeout} plus a few milliseconds whatever
 * the program does. On timeout the program and its descendants get SIGKILL; one stuck in the kernel
 * may outlive that, and is then abandoned, not waited for.
 */
public final class ExternalCommand {
    /** Output kept of each stream; the rest is dropped, so a runaway program cannot fill the heap. */
    static final int MAX_OUTPUT_BYTES = 4 << 20;

    /** @param stdout and stderr as text, each at most {@value #MAX_OUTPUT_BYTES} bytes */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The first non-blank line of stderr, else of stdout: what a one-line error message quotes. */
        public String firstLine() {
            for (String text : List.of(stderr, stdout)) {
                for (String line : text.split("\n")) {
                    if (!line.isBlank()) {
                        return line.strip();
                    }
                }
            }
            return "";
        }
    }

    /** The program could not be started, or did not finish in time. The message is one line for a user. */
    public static final class Failed extends Exception {
        /** Why the program gave no result. */
        public enum Cause {
            /** Not installed: not on PATH, or not executable. */
            NOT_FOUND,
            /** It ran past the time limit and was killed: what it did before that may have taken effect. */
            TIMED_OUT,
            /** Anything else: it could not be started, its output could not be read. */
            OTHER
        }

        private final Cause cause;

        Failed(String message, Cause cause) {
            super(message);
            this.cause = cause;
        }

        /** True when the program is not installed (not on PATH, or not executable). */
        public boolean notFound() {
            return cause == Cause.NOT_FOUND;
        }

        /** True when the program was killed at the time limit. */
        public boolean timedOut() {
            return cause == Cause.TIMED_OUT;
        }
    }

    private ExternalCommand() {}

    public static Result run(List<String> argv, Duration timeout) throws Failed, InterruptedException {
        return run(argv, timeout, Map.of());
    }

    /** @param environment set on top of this process's environment */
    public static Result run(List<String> argv, Duration timeout, Map<String, String> environment)
            throws Failed, InterruptedException {
        String name = Path.of(argv.get(0)).getFileName().toString();
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("isofold-" + name + "-", ".out");
            err = Files.createTempFile("isofold-" + name + "-", ".err");
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(environment);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new Failed("cannot run " + name + ": " + startProblem(e), Failed.Cause.NOT_FOUND);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new Failed(name + " did not answer within " + seconds(timeout), Failed.Cause.TIMED_OUT);
            }
            return new Result(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new Failed("cannot run " + name + ": " + e.getMessage(), Failed.Cause.OTHER);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static String startProblem(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("error=2,")) {
            return "not found";
        }
        if (m.contains("error=13,")) {
            return "permission denied";
        }
        return m;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file in /tmp; nothing depends on it
            }
        }
    }
}
