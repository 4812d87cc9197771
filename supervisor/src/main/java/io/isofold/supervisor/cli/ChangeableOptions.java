package io.isofold.supervisor.cli;

import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.Defaults;
import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.spec.GpuRequest;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.spec.Sizes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options a resume may change: where attempts run, what limits them, how retries and the race go.
 * {@code run} and {@code resume} share them; an option not given is null, so {@code run} applies its
 * {@link Defaults default} and {@code resume} keeps what the run recorded.
 */
final class ChangeableOptions {
    static final Duration MAX_KILL_GRACE = Duration.ofHours(1);

    @Option(names = "--gpus", paramLabel = "LIST", converter = Converters.GpuRequestConverter.class, description = "all (detect with nvidia-smi), none (CPU only), or indices like 0,2,3. On a resume, a GPU named here is back in the run even if it was quarantined. Default: all.")
    GpuRequest gpus;
    @Option(names = "--workers-per-gpu", paramLabel = "M", description = "Concurrent attempts per GPU. Default: " + Defaults.WORKERS_PER_GPU + ".")
    Integer workersPerGpu;
    @Option(names = "--cpu-workers", paramLabel = "C", description = "Concurrent attempts when no GPU is used. Default: " + Defaults.CPU_WORKERS + ".")
    Integer cpuWorkers;
    @Option(names = "--timeout", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Wall-clock limit of one attempt (90s, 30m, 2h), counted from when it starts running (time a Slurm job waits in the queue does not count). Default: none.")
    Duration timeout;
    @Option(names = "--stall-timeout", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Kill an attempt whose progress file has not changed for DUR. Default: none.")
    Duration stallTimeout;
    @Option(names = "--max-memory", paramLabel = "SIZE", converter = Converters.SizeConverter.class, description = "Kill an attempt whose processes use more than SIZE (512m, 8g; shared pages counted once). On Slurm: each job's --mem, enforced by Slurm where the site does. Default: none.")
    Long maxMemory;
    @Option(names = "--kill-grace", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Time between SIGTERM and SIGKILL, at most 1h. Default: " + Defaults.KILL_GRACE + ".")
    Duration killGrace;
    @Option(names = "--max-log-size", paramLabel = "SIZE", converter = Converters.LogSizeConverter.class, description = "Cap on each attempt's stdout.log and stderr.log: a log that grows past it loses its beginning, its last SIZE kept (64m, 1g), or none. Default: " + Defaults.MAX_LOG_SIZE + ".")
    Long maxLogSize;
    @Option(names = "--max-attempts", paramLabel = "A", description = "Attempts per replicate before it is given up. Default: " + Defaults.MAX_ATTEMPTS + ".")
    Integer maxAttempts;
    @Option(names = "--attempt-budget", paramLabel = "B", description = "Attempts in the whole run. Default: " + Defaults.BUDGET_PER_REPLICATE + " x N x variants.")
    Integer attemptBudget;
    @Option(names = "--retry-identical", paramLabel = "K", description = "Give a replicate up once K of its attempts failed the same way (exit status and last line of stderr), and stop the run when the first attempts of several replicates fail the same way; 0 retries them all up to --max-attempts. Default: " + Defaults.RETRY_IDENTICAL + ".")
    Integer retryIdentical;
    @Option(names = "--slurm-opt", paramLabel = "ARG", description = "--backend slurm: an sbatch option for every job, as one argument (repeatable), e.g. --slurm-opt=--partition=gpu --slurm-opt=--account=lab. Given on a resume, replaces the recorded ones. Default: none.")
    List<String> slurmOptions;
    @Option(names = "--max-running", paramLabel = "N", description = "--backend slurm: the run's jobs in the queue at once, pending or running. Default: " + Defaults.MAX_RUNNING + ".")
    Integer maxRunning;
    @Option(names = "--standby", negatable = true, description = "Start each slot's next worker while the slot's "
            + "attempt runs, so it has loaded its libraries and data when it gets its task (every attempt is still a "
            + "fresh process). A worker command opts in with --standby (its task arrives in the file $ISOFOLD_STANDBY; "
            + "see docs/worker-contract.md); with --cpu-workers above 1 the CPU workers keep the cores busy already. "
            + "Default: on for the built-in worker on the local backend with --cpu-workers 1, off otherwise.")
    Boolean standby;
    @Option(names = "--allow-cpu-fallback", description = "Let a GPU slot's attempt that computed on the CPU count. Default: off (such an attempt stops the run, exit 2).")
    boolean allowCpuFallback;
    @Option(names = "--continue", negatable = true, description = "A retry continues from the checkpoint its replicate's earlier attempts left in $ISOFOLD_CHECKPOINT_DIR; --no-continue gives every attempt an empty one. Default: on.")
    Boolean continueAttempts;
    @Option(names = "--keep-checkpoints", negatable = true, description = "Keep a replicate's checkpoints after it completed. Default: deleted.")
    Boolean keepCheckpoints;
    @Option(names = "--checkpoint-every", paramLabel = "DUR", converter = Converters.DurationConverter.class, description = "Built-in worker: how often it checkpoints within an epoch (it also does at every epoch's end). Default: " + Defaults.CHECKPOINT_EVERY + ".")
    Duration checkpointEvery;
    @Option(names = "--race", negatable = true, description = "Race the variants across folds: fold by fold, a variant significantly worse than the best (one-sided paired test) is dropped; the best and every survivor run every fold. On a resume, --no-race runs the dropped ones to the end. Default: off.")
    Boolean race;
    @Option(names = "--race-burn-in", paramLabel = "K", description = "--race: folds every variant runs before any is dropped. Default: " + Defaults.RACE_BURN_IN + ".")
    Integer raceBurnIn;
    @Option(names = "--race-alpha", paramLabel = "A", description = "--race: the one-sided test's significance level. Default: " + Defaults.RACE_ALPHA_TEXT + ".")
    Double raceAlpha;

    /**
     * Whether the run starts standby workers: as given, else as recorded, else
     * {@link RunSpec.Options#standbyByDefault}. Asked for where it cannot work, it is a usage error.
     *
     * @param command   the worker command (empty for the built-in worker)
     * @param placement the run's, for its number of CPU workers
     */
    boolean standby(Boolean recorded, List<String> command, RunSpec.Placement placement) throws BadInput {
        boolean asked = Boolean.TRUE.equals(standby);
        if (asked && placement.slurm()) {
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
        GpuRequest g = gpus != null ? gpus : recorded != null ? recorded.gpus() : GpuRequest.ALL;
        int perGpu = range("--workers-per-gpu", workersPerGpu,
                recorded == null ? Defaults.WORKERS_PER_GPU : recorded.workersPerGpu(), 1, 64);
        int cpu = range("--cpu-workers", cpuWorkers, recorded == null ? Defaults.CPU_WORKERS : recorded.cpuWorkers(),
                1, 1024);
        int running = range("--max-running", maxRunning, recorded == null ? Defaults.MAX_RUNNING : recorded.maxRunning(),
                1, 100_000);
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
    private void checkSlurmPlacement(GpuRequest gpuRequest, List<String> sbatch) throws BadInput {
        if (!gpuRequest.all() && !gpuRequest.none()) {
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

    /** @param defaultBudget the run's default --attempt-budget when there is no recorded one */
    RunSpec.Limits limits(RunSpec.Limits recorded, int defaultBudget) throws BadInput {
        Duration grace = killGrace != null ? killGrace
                : recorded != null ? recorded.killGrace() : Durations.parse(Defaults.KILL_GRACE);
        if (grace.compareTo(MAX_KILL_GRACE) > 0) {
            throw new BadInput("--kill-grace " + Durations.format(grace) + " is longer than the limit of 1h");
        }
        return new RunSpec.Limits(
                timeout != null ? timeout : recorded == null ? null : recorded.timeout(),
                stallTimeout != null ? stallTimeout : recorded == null ? null : recorded.stallTimeout(),
                maxMemory != null ? maxMemory : recorded == null ? null : recorded.maxMemoryBytes(),
                grace,
                range("--max-attempts", maxAttempts, recorded == null ? Defaults.MAX_ATTEMPTS : recorded.maxAttempts(),
                        1, 1000),
                range("--attempt-budget", attemptBudget, recorded == null ? defaultBudget : recorded.attemptBudget(), 1,
                        Integer.MAX_VALUE),
                range("--retry-identical", retryIdentical,
                        recorded == null ? Defaults.RETRY_IDENTICAL : recorded.retryIdentical(), 0, 1000),
                maxLogBytes(recorded));
    }

    /** --max-log-size as given (none: null), else as recorded, else the default. */
    private Long maxLogBytes(RunSpec.Limits recorded) {
        if (maxLogSize != null) {
            return maxLogSize == Converters.LogSizeConverter.NONE ? null : maxLogSize;
        }
        return recorded != null ? recorded.maxLogSize() : Long.valueOf(Sizes.parse(Defaults.MAX_LOG_SIZE));
    }

    /**
     * The options of {@link RunSpec.Options} that this class owns, over what was recorded (null for a new run).
     *
     * @param variants how many variants the run compares: a race needs two
     */
    RunSpec.Options options(RunSpec.Options recorded, boolean saveModel, List<String> workerJvmOptions,
            List<io.isofold.supervisor.spec.MetricGoal> metrics, boolean withStandby, int variants) throws BadInput {
        RunSpec.Race wasRacing = recorded == null ? null : recorded.race();
        boolean racing = race != null ? race : wasRacing != null;
        if (!racing && (raceBurnIn != null || raceAlpha != null)) {
            throw new BadInput((raceBurnIn != null ? "--race-burn-in" : "--race-alpha") + " is for a run with --race");
        }
        RunSpec.Race raced = null;
        if (racing) {
            if (variants < 2) {
                throw new BadInput("--race needs two or more variants to race (--model cnn --model mlp, --models FILE "
                        + "or --param); this run has one");
            }
            try {
                raced = new RunSpec.Race(
                        raceBurnIn != null ? raceBurnIn : wasRacing != null ? wasRacing.burnIn() : Defaults.RACE_BURN_IN,
                        raceAlpha != null ? raceAlpha : wasRacing != null ? wasRacing.alpha() : Defaults.RACE_ALPHA);
            } catch (IllegalArgumentException e) {
                throw new BadInput(e.getMessage());
            }
        }
        Duration every = checkpointEvery != null ? checkpointEvery
                : recorded != null ? recorded.checkpointEvery() : Durations.parse(Defaults.CHECKPOINT_EVERY);
        return new RunSpec.Options(saveModel, workerJvmOptions,
                allowCpuFallback || (recorded != null && recorded.allowCpuFallback()), metrics, withStandby,
                continueAttempts != null ? continueAttempts : recorded == null || recorded.continueAttempts(),
                keepCheckpoints != null ? keepCheckpoints : recorded != null && recorded.keepCheckpoints(), every, raced);
    }

    static int range(String name, Integer given, int fallback, int min, int max) throws BadInput {
        int v = given != null ? given : fallback;
        if (v < min || v > max) {
            throw new BadInput(name + " " + v + " is out of range (" + min + " to " + max + ")");
        }
        return v;
    }
}
