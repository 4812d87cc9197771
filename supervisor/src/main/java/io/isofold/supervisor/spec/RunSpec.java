package io.isofold.supervisor.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The resolved, validated spec of a run, as {@code run.json} records it ({@link RunJson}): what the run
 * computes ({@link Experiment}, which a resume must not change, but for the worker command), where it runs
 * ({@link Placement}), the limits of its attempts ({@link Limits}) and the rest ({@link Options}); those three
 * may change on a resume.
 */
public record RunSpec(Path outDir, Experiment experiment, Placement placement, Limits limits, Options options) {
    /** --max-log-size none, as run.json records it (a null would read as a run.json from before the option). */
    public static final String NO_LOG_CAP = "none";

    /**
     * What decides the results, and so must match for a resume: a changed timeout or GPU list resumes the
     * same run, a changed fold count or model would mix two experiments in one table.
     *
     * @param command the custom worker command, or empty for the built-in TensorFlow worker; a resume may give
     *                another (a fixed interpreter path, say), which the journal's run-start line records
     * @param data    the built-in worker's data; null with a custom worker
     * @param workdir the folder the run was started in: its workers start there, wherever a resume is typed
     */
    public record Experiment(int folds, int replicates, long seed, List<ModelConfig> models, List<String> command,
            String data, Path workdir) {
        public Experiment {
            models = List.copyOf(models);
            command = List.copyOf(command);
        }

        /** The same experiment run by another worker command, started from {@code folder}. */
        public Experiment withCommand(List<String> newCommand, Path folder) {
            return new Experiment(folds, replicates, seed, models, newCommand, data, folder);
        }
    }

    /** Where attempts run: processes on this machine, or one Slurm batch job each. Fixed for a run. */
    public enum Backend {
        LOCAL, SLURM;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Reads {@link #label}; null for anything else. */
        public static Backend of(String label) {
            for (Backend b : values()) {
                if (b.label().equals(label)) {
                    return b;
                }
            }
            return null;
        }
    }

    /**
     * @param gpus         the --gpus request (on Slurm: all or none)
     * @param slurmOptions --slurm-opt arguments, passed to sbatch as they are; empty on the local backend
     * @param maxRunning   --max-running: the run's jobs in the Slurm queue at once; unused on the local backend
     */
    public record Placement(GpuRequest gpus, int workersPerGpu, int cpuWorkers, Backend backend,
            List<String> slurmOptions, int maxRunning) {
        public Placement {
            slurmOptions = List.copyOf(slurmOptions);
        }

        /** A local placement. */
        public Placement(GpuRequest gpus, int workersPerGpu, int cpuWorkers) {
            this(gpus, workersPerGpu, cpuWorkers, Backend.LOCAL, List.of(), Defaults.MAX_RUNNING);
        }

        public boolean slurm() {
            return backend == Backend.SLURM;
        }
    }

    /**
     * Null durations and sizes mean "no limit".
     *
     * @param retryIdentical attempts of one replicate that may fail the same way (exit status and last line of
     *                       stderr) before it is given up; 0 leaves it to {@code maxAttempts}
     * @param maxLogSize     the cap on each of an attempt's stdout and stderr logs (the tail is kept); null for none
     */
    public record Limits(Duration timeout, Duration stallTimeout, Long maxMemoryBytes, Duration killGrace,
            int maxAttempts, int attemptBudget, int retryIdentical, Long maxLogSize) {}

    /**
     * Racing the variants (--race): decisions start once every variant still racing has {@code burnIn}
     * replicates settled, and a variant is dropped when its one-sided paired p against the current best is
     * below {@code alpha}. run.json records it as {@code "race": {"burn_in": 3, "alpha": 0.05}}.
     */
    public record Race(int burnIn, double alpha) {
        public static final Race DEFAULT = new Race(Defaults.RACE_BURN_IN, Defaults.RACE_ALPHA);

        /** @throws IllegalArgumentException with a one-line reason that names the option */
        public Race {
            if (burnIn < 2) {
                // a paired test needs two pairs to see any spread; one fold would decide on a single draw
                throw new IllegalArgumentException("--race-burn-in must be at least 2, got " + burnIn);
            }
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("--race-alpha must be between 0 and 1 (exclusive), got "
                        + String.format(java.util.Locale.ROOT, "%s", alpha));
            }
        }
    }

    /**
     * @param metrics         the --metric choices, the run's primary metric first; empty when none was given
     * @param standby         whether each slot's next worker is started ahead of its task (--standby)
     * @param continueAttempts whether a retry continues from the replicate's checkpoint (--no-continue: never)
     * @param keepCheckpoints whether a completed replicate's checkpoints stay (--keep-checkpoints)
     * @param checkpointEvery the built-in worker's checkpoint interval within an epoch
     * @param race            null when the variants are not raced
     */
    public record Options(boolean saveModel, List<String> workerJvmOptions, boolean allowCpuFallback,
            List<MetricGoal> metrics, boolean standby, boolean continueAttempts, boolean keepCheckpoints,
            Duration checkpointEvery, Race race) {
        /**
         * Whether a run has standby workers when nobody said: for the built-in worker (an empty command)
         * on the local backend with at most one CPU worker. Several CPU workers already keep the cores
         * busy, and a standby's start only competes with them.
         */
        public static boolean standbyByDefault(List<String> command, Placement placement) {
            return command.isEmpty() && placement.backend() == Backend.LOCAL && placement.cpuWorkers() <= 1;
        }

        public Options {
            workerJvmOptions = List.copyOf(workerJvmOptions);
            metrics = List.copyOf(metrics);
        }
    }

    public int folds() {
        return experiment.folds();
    }

    public int replicates() {
        return experiment.replicates();
    }

    public long seed() {
        return experiment.seed();
    }

    public List<ModelConfig> models() {
        return experiment.models();
    }

    public List<String> command() {
        return experiment.command();
    }

    public String data() {
        return experiment.data();
    }

    public Path workdir() {
        return experiment.workdir();
    }

    public boolean builtInWorker() {
        return experiment.command().isEmpty();
    }

    public Duration timeout() {
        return limits.timeout();
    }

    public Duration stallTimeout() {
        return limits.stallTimeout();
    }

    public Long maxMemoryBytes() {
        return limits.maxMemoryBytes();
    }

    public Duration killGrace() {
        return limits.killGrace();
    }

    public int maxAttempts() {
        return limits.maxAttempts();
    }

    public int attemptBudget() {
        return limits.attemptBudget();
    }

    public boolean saveModel() {
        return options.saveModel();
    }

    public boolean allowCpuFallback() {
        return options.allowCpuFallback();
    }

    public boolean standby() {
        return options.standby();
    }

    /** Completed replicates the run needs: N for each model. */
    public int requiredReplicates() {
        return experiment.replicates() * experiment.models().size();
    }

    /** The default --attempt-budget of a run of {@code replicates} per variant and {@code variants} variants. */
    public static int defaultBudget(int replicates, int variants) {
        return Defaults.BUDGET_PER_REPLICATE * replicates * variants;
    }

    /**
     * What a resume compares with the run it finds: the fields of {@link Experiment}, as run.json holds them.
     *
     * @param withCommand whether the worker command is part of it (it is for {@code run}; a resume may change it)
     */
    public ObjectNode identity(boolean withCommand) {
        ObjectNode all = toJson();
        ObjectNode n = Json.MAPPER.createObjectNode();
        for (String field : List.of("folds", "replicates", "seed", "models", "data")) {
            if (all.has(field)) {
                n.set(field, all.get(field));
            }
        }
        if (withCommand) {
            n.set("command", all.get("command"));
        }
        return n;
    }

    /** run.json. */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(RunJson.of(this));
    }

    /**
     * The spec a run.json records, for {@code resume DIR}; a field it lacks gets its {@link Defaults default}.
     *
     * @param file the run.json it was read from, for the messages
     */
    public static RunSpec fromJson(Path outDir, Path file, JsonNode n) throws BadInput {
        return RunJson.read(outDir, file, n);
    }

    /** The backend a run.json names; a run.json from before there was a choice ran locally. Null when unknown. */
    public static Backend backend(JsonNode runJson) {
        return Backend.of(runJson.path("backend").asText(Backend.LOCAL.label()));
    }
}
