package io.isofold.supervisor.gpu;

import io.isofold.supervisor.exec.ExternalCommand;
import io.isofold.supervisor.spec.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code nvidia-smi} from PATH with a time limit. A GPU that fell off the bus makes nvidia-smi
 * hang in the kernel; without a limit that hangs whoever asked.
 */
public final class NvidiaSmi {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    /** Overrides the limit, as a duration ({@code 3s}): tests with a hung fake should not wait 20 s. */
    public static final String TIMEOUT_ENV = "ISOFOLD_NVIDIA_SMI_TIMEOUT";

    /** nvidia-smi could not be run, did not answer in time, or failed; the message is one line for a user. */
    public static final class Failed extends Exception {
        private final boolean notInstalled;
        private final boolean refused;

        Failed(String message, boolean notInstalled, boolean refused) {
            super(message);
            this.notInstalled = notInstalled;
            this.refused = refused;
        }

        /** True when nvidia-smi ran and exited non-zero (a query this driver does not know), not hung or missing. */
        public boolean refused() {
            return refused;
        }

        /** True when there is no nvidia-smi on PATH: a machine without NVIDIA's driver, not a broken one. */
        public boolean notInstalled() {
            return notInstalled;
        }
    }

    private final String program;
    private final Duration timeout;

    public NvidiaSmi(Duration timeout) {
        this("nvidia-smi", timeout);
    }

    /** @param program the nvidia-smi to run: a name looked up on PATH, or a path (tests give a fake) */
    NvidiaSmi(String program, Duration timeout) {
        this.program = program;
        this.timeout = timeout;
    }

    /** With the limit from {@value #TIMEOUT_ENV}, else {@link #DEFAULT_TIMEOUT}. */
    public static NvidiaSmi fromEnvironment() throws Failed {
        String value = System.getenv(TIMEOUT_ENV);
        if (value == null || value.isBlank()) {
            return new NvidiaSmi(DEFAULT_TIMEOUT);
        }
        try {
            return new NvidiaSmi(Durations.parse(value));
        } catch (IllegalArgumentException e) {
            throw new Failed(TIMEOUT_ENV + ": " + e.getMessage(), false, false);
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /** Runs {@code nvidia-smi ARGS...}; returns its stdout when it exits 0. */
    public String run(String... args) throws Failed {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(List.of(args));
        ExternalCommand.Result result;
        try {
            result = ExternalCommand.run(argv, timeout);
        } catch (ExternalCommand.Failed e) {
            throw new Failed(e.getMessage(), e.notFound(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted while running nvidia-smi", false, false);
        }
        if (!result.ok()) {
            throw new Failed("nvidia-smi failed (exit " + result.exitCode() + "): " + result.firstLine(), false, true);
        }
        return result.stdout();
    }
}
