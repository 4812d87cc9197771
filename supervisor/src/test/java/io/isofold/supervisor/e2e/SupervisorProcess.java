package io.isofold.supervisor.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the supervisor as a child JVM, the way a user runs it: its own process, its own environment
 * (PATH with a fake nvidia-smi first, CUDA_VISIBLE_DEVICES as the test says), real exit status,
 * real stdout and stderr. In-process calls could not show exit statuses, signal handling, or what a
 * worker inherits from the supervisor's environment.
 */
final class SupervisorProcess {
    /** Startup options of scripts/run.sh: a short-lived CLI, no need for the server compiler. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k", "-Xmx256m");

    private final Path workDir;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> unset = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path stdoutTo;
    private Duration timeout = Duration.ofSeconds(90);

    /**
     * @param workDir the child's working directory, where a run without --out would write; also where
     *                its stdout and stderr are kept
     */
    SupervisorProcess(Path workDir, FakeGpus gpus) {
        this.workDir = workDir;
        env.put("PATH", gpus.path());
        // the test JVM's own CUDA_VISIBLE_DEVICES must not leak in; tests that want one set it
        unset.add("CUDA_VISIBLE_DEVICES");
    }

    SupervisorProcess env(String name, String value) {
        env.put(name, value);
        unset.remove(name);
        return this;
    }

    /** An option for the supervisor's JVM, such as {@code -Disofold.worker.jar=...}. */
    /** Sends the supervisor's stdout to this file (a FIFO nobody reads, say) instead of a file the test reads. */
    SupervisorProcess stdoutTo(Path file) {
        this.stdoutTo = file;
        return this;
    }

    SupervisorProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    SupervisorProcess timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** The result of one supervisor command. */
    record Outcome(int exitCode, String stdout, String stderr, Duration took) {
        @Override
        public String toString() {
            return "exit " + exitCode + " after " + took.toMillis() + " ms\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }

    /** Runs {@code isofold ARGS...} to its end; fails the test if it runs past the timeout. */
    Outcome run(List<String> args) {
        return start(args).await();
    }

    /** Starts {@code isofold ARGS...} and returns at once, for tests that signal the supervisor while it runs. */
    Started start(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(JVM_OPTIONS);
        argv.addAll(jvmOptions);
        argv.add("-cp");
        argv.add(classPath());
        argv.add("io.isofold.supervisor.cli.IsofoldCommand");
        argv.addAll(args);
        try {
            Files.createDirectories(workDir);
            Path out = Files.createTempFile(workDir, "supervisor", ".stdout");
            Path err = Files.createTempFile(workDir, "supervisor", ".stderr");
            ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdoutTo != null ? stdoutTo.toFile() : out.toFile()).redirectError(err.toFile());
            unset.forEach(pb.environment()::remove);
            pb.environment().putAll(env);
            return new Started(pb.start(), System.nanoTime(), args, out, err, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a signal by name to any process, as a kill command would; false when kill failed (it was gone). */
    static boolean signal(String name, long pid) {
        try {
            return new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A supervisor that is running. */
    record Started(Process process, long startNanos, List<String> args, Path out, Path err, Duration timeout) {

        long pid() {
            return process.pid();
        }

        /** Sends a signal by name (TERM, INT, KILL), as a user's kill command would. */
        void signal(String name) {
            if (!SupervisorProcess.signal(name, process.pid())) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
            }
        }

        /** Waits for the end; fails the test (after killing the supervisor) if it runs past the timeout. */
        Outcome await() {
            try {
                if (!process.waitFor(timeout.toMillis() - (System.nanoTime() - startNanos) / 1_000_000,
                        TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("the supervisor did not end within " + timeout + ": " + args
                            + "\n--- stdout ---\n" + Files.readString(out) + "\n--- stderr ---\n" + Files.readString(err));
                }
                Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
                return new Outcome(process.exitValue(), Files.readString(out), Files.readString(err), took);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    Outcome run(String... args) {
        return run(List.of(args));
    }

    /**
     * The test JVM's class path. Surefire may put a manifest-only booter jar there, whose Class-Path
     * manifest entry names the real entries; java -cp follows that manifest just the same.
     */
    private static String classPath() {
        return System.getProperty("java.class.path");
    }
}
