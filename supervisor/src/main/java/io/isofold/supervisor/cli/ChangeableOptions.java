package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.launch.WorkerCommand;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options a resume may change: where attempts run and what limits them. {@code run} and
 * {@code resume} share them; an option not given is null, so {@code run} applies its default and
 * {@code resume} keeps what the run recorded.
 */
final class ChangeableOptions {
    static final Duration MAX_KILL_GRACE = Duration.ofHours(1);

    @Option(names = "--gpus", paramLabel = "LIST", description = "all (detect with nvidia-smi), none (CPU only), or indices like 0,2,3. Default: all.")
    String gpus;
    @Option(names = "--workers-per-gpu", paramLabel = "M", description = "Concurrent attempts per GPU. Default: 1.")
    Integer workersPerGpu;
    @Option(names = "--cpu-workers", paramLabel = "C", description = "Concurrent attempts when no GPU is used. Default: 1.")
    Integer cpuWorkers;
    @Option(names = "--timeout", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Wall-clock limit of one attempt (90s, 30m, 2h), counted from when it starts running (time a Slurm job waits in the queue does not count). Default: none.")
    Duration timeout;
    @Option(names = "--stall-timeout", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Kill an attempt whose progress file has not changed for DUR. Default: none.")
    Duration stallTimeout;
    @Option(names = "--max-memory", paramLabel = "SIZE", converter = Converters.SizeConverter.class, description = "Kill an attempt whose processes use more than SIZE (512m, 8g; shared pages counted once). On Slurm: each job's --mem, enforced by Slurm where the site does. Default: none.")
    Long maxMemory;
    @Option(names = "--kill-grace", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Time between SIGTERM and SIGKILL, at most 1h. Default: 10s.")
    Duration killGrace;
    @Option(names = "--max-log-size", paramLabel = "SIZE", converter = Converters.LogSizeConverter.class, description = "Cap on each attempt's stdout.log and stderr.log: a log that grows past it loses its beginning, its last SIZE kept (64m, 1g), or none. Default: 1g.")
    Long maxLogSize;
    @Option(names = "--max-attempts", paramLabel = "A", description = "Attempts per replicate before it is given up. Default: 3.")
    Integer maxAttempts;
    @Option(names = "--attempt-budget", paramLabel = "B", description = "Attempts in the whole run. Default: 2 x N x models.")
    Integer attemptBudget;
    @Option(names = "--slurm-opt", paramLabel = "ARG", description = "--backend slurm: an sbatch option for every job, as one argument (repeatable), e.g. --slurm-opt=--partition=gpu --slurm-opt=--account=lab. Given on a resume, replaces the recorded ones.")
    List<String> slurmOptions;
    @Option(names = "--max-running", paramLabel = "N", description = "--backend slurm: the run's jobs in the queue at once, pending or running. Default: " + RunSpec.Placement.DEFAULT_MAX_RUNNING + ".")
    Integer maxRunning;
    @Option(names = "--standby", negatable = true, description = "Start each slot's next worker while the slot's "
            + "attempt runs, so it has loaded its libraries and data when it gets its task (every attempt is still a "
            + "fresh process). Default: on for the built-in worker on the local backend, unless --cpu-workers is above 1 "
            + "(several CPU workers keep the cores busy already); a worker command opts in with --standby (see the "
            + "README: the task arrives in the file $ISOFOLD_STANDBY).")
    Boolean standby;
    @Option(names = "--allow-cpu-fallback", description = "Let a GPU slot's attempt that computed on the CPU count. Default: such an attempt stops the run (exit 2).")
    boolean allowCpuFallback;

    /**
     * Whether the run starts standby workers: as given, else as recorded, else
     * {@link RunSpec.Options#standbyByDefault}. Asked for where it cannot work, it is a usage error.
     *
     * @param command   the worker command (empty for the built-in worker)
     * @param placement the run's, for its number of CPU workers
     */
    boolean standby(Boolean recorded, List<String> command, RunSpec.Placement placement) throws BadInput {
        RunSpec.Backend backend = placement.backend();
        boolean asked = Boolean.TRUE.equals(standby);
        if (asked && backend == RunSpec.Backend.SLURM) {
            throw new BadInput("--standby is for the local backend: a cluster job is placed by the scheduler, so no "
                    + "worker can be started ahead on the node that will run it");
        }
        if (asked && !command.isEmpty()) {
            Optional<String> problem = WorkerCommand.standbyProblem(command);
            if (problem.isPresent()) {
                throw new BadInput("--standby: " + problem.get());
            }
        }
        if (standby != null) {
            return standby;
        }
        return recorded != null ? recorded : RunSpec.Options.standbyByDefault(command, placement);
    }

    /** @param backend the run's: from --backend on {@code run}, from run.json on {@code resume} */
    RunSpec.Placement placement(RunSpec.Placement recorded, RunSpec.Backend backend) throws BadInput {
        String g = gpus != null ? gpus.trim() : recorded != null ? recorded.gpus() : "all";
        if (g.isEmpty()) {
            throw new BadInput("--gpus is empty; give all, none, or indices like 0,2,3");
        }
        int perGpu = range("--workers-per-gpu", workersPerGpu, recorded == null ? 1 : recorded.workersPerGpu(), 1, 64);
        int cpu = range("--cpu-workers", cpuWorkers, recorded == null ? 1 : recorded.cpuWorkers(), 1, 1024);
        int running = range("--max-running", maxRunning,
                recorded == null ? RunSpec.Placement.DEFAULT_MAX_RUNNING : recorded.maxRunning(), 1, 100_000);
        List<String> sbatch = slurmOptions != null ? slurmOptions
                : recorded != null ? recorded.slurmOptions() : List.of();
        if (backend == RunSpec.Backend.SLURM) {
            checkSlurmPlacement(g, sbatch);
        } else {
            if (slurmOptions != null) {
                throw new BadInput("--slurm-opt is for --backend slurm");
            }
            if (maxRunning != null) {
                throw new BadInput("--max-running is for --backend slurm; locally --workers-per-gpu and "
                        + "--cpu-workers say how many attempts run at once");
            }
        }
        return new RunSpec.Placement(g, perGpu, cpu, backend, sbatch, running);
    }

    /** On Slurm the scheduler places jobs: options that place attempts on this machine's GPUs make no sense there. */
    private void checkSlurmPlacement(String gpuRequest, List<String> sbatch) throws BadInput {
        String g = gpuRequest.toLowerCase(java.util.Locale.ROOT);
        if (!g.equals("all") && !g.equals("none")) {
            throw new BadInput("--gpus " + gpuRequest + ": on --backend slurm, --gpus is all (one GPU per job, Slurm "
                    + "chooses which) or none (CPU jobs); ask for GPU types with --slurm-opt=--gres=gpu:TYPE:1");
        }
        if (workersPerGpu != null) {
            throw new BadInput("--workers-per-gpu is for the local backend; on --backend slurm each job gets its own "
                    + "GPU, and --max-running caps the run's jobs");
        }
        if (cpuWorkers != null) {
            throw new BadInput("--cpu-workers is for the local backend; on --backend slurm --max-running caps the "
                    + "run's jobs");
        }
        for (String o : sbatch) {
            if (o.isBlank()) {
                throw new BadInput("--slurm-opt is empty; give one sbatch option, e.g. --slurm-opt=--partition=gpu");
            }
            if (!o.startsWith("-")) {
                throw new BadInput("--slurm-opt '" + o + "' is not an sbatch option (they start with -); give the "
                        + "option and its value as one argument: --slurm-opt=--partition=gpu");
            }
        }
    }

    /** @param defaultBudget the run's default --attempt-budget (2 x N x models) when there is no recorded one */
    RunSpec.Limits limits(RunSpec.Limits recorded, int defaultBudget) throws BadInput {
        Duration grace = killGrace != null ? killGrace : recorded != null ? recorded.killGrace() : Duration.ofSeconds(10);
        if (grace.compareTo(MAX_KILL_GRACE) > 0) {
            throw new BadInput("--kill-grace " + io.isofold.supervisor.spec.Durations.format(grace)
                    + " is longer than the limit of 1h");
        }
        return new RunSpec.Limits(
                timeout != null ? timeout : recorded == null ? null : recorded.timeout(),
                stallTimeout != null ? stallTimeout : recorded == null ? null : recorded.stallTimeout(),
                maxMemory != null ? maxMemory : recorded == null ? null : recorded.maxMemoryBytes(),
                grace,
                range("--max-attempts", maxAttempts, recorded == null ? 3 : recorded.maxAttempts(), 1, 1000),
                range("--attempt-budget", attemptBudget, recorded == null ? defaultBudget : recorded.attemptBudget(), 1,
                        Integer.MAX_VALUE),
                maxLogBytes(recorded));
    }

    /** --max-log-size as given (none: null), else as recorded, else the default. */
    private Long maxLogBytes(RunSpec.Limits recorded) {
        if (maxLogSize != null) {
            return maxLogSize == Converters.LogSizeConverter.NONE ? null : maxLogSize;
        }
        return recorded != null ? recorded.maxLogBytes() : Long.valueOf(RunSpec.Limits.DEFAULT_MAX_LOG_BYTES);
    }

    static int range(String name, Integer given, int fallback, int min, int max) throws BadInput {
        int v = given != null ? given : fallback;
        if (v < min || v > max) {
            throw new BadInput(name + " " + v + " is out of range (" + min + " to " + max + ")");
        }
        return v;
    }
}
