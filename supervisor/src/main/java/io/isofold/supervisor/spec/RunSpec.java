package io.isofold.supervisor.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolved, validated spec of a run, as {@code run.json} records it: what the run computes
 * ({@link Experiment}, which a resume must not change), where it runs ({@link Placement}), the limits
 * of its attempts ({@link Limits}) and the rest ({@link Options}); those three may change on a resume.
 */
public record RunSpec(Path outDir, Experiment experiment, Placement placement, Limits limits, Options options) {
    /** --max-log-size none, as run.json records it (a null would read as a run.json from before the option). */
    public static final String NO_LOG_CAP = "none";

    /**
     * What decides the results, and so must match for a resume: a changed timeout or GPU list
     * resumes the same run, a changed fold count or model would mix two experiments in one table.
     *
     * @param command the custom worker command, or empty for the built-in TensorFlow worker
     * @param data    the built-in worker's data; null with a custom worker
     */
    public record Experiment(int folds, int replicates, long seed, List<ModelConfig> models, List<String> command,
            String data) {
        public Experiment {
            models = List.copyOf(models);
            command = List.copyOf(command);
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
     * @param gpus         the --gpus request: all, none, or indices (on Slurm: all or none)
     * @param slurmOptions --slurm-opt arguments, passed to sbatch as they are; empty on the local backend
     * @param maxRunning   --max-running: the run's jobs in the Slurm queue at once; unused on the local backend
     */
    public record Placement(String gpus, int workersPerGpu, int cpuWorkers, Backend backend, List<String> slurmOptions,
            int maxRunning) {
        /** The default of --max-running. */
        public static final int DEFAULT_MAX_RUNNING = 8;

        public Placement {
            slurmOptions = List.copyOf(slurmOptions);
        }

        /** A local placement. */
        public Placement(String gpus, int workersPerGpu, int cpuWorkers) {
            this(gpus, workersPerGpu, cpuWorkers, Backend.LOCAL, List.of(), DEFAULT_MAX_RUNNING);
        }

        public boolean slurm() {
            return backend == Backend.SLURM;
        }
    }

    /**
     * Null durations and sizes mean "no limit".
     *
     * @param maxLogBytes --max-log-size: what each attempt's stdout.log and stderr.log keep of their end
     */
    public record Limits(Duration timeout, Duration stallTimeout, Long maxMemoryBytes, Duration killGrace,
            int maxAttempts, int attemptBudget, Long maxLogBytes) {
        /** The default of --max-log-size: generous, yet a worker that writes without end cannot fill the disk. */
        public static final long DEFAULT_MAX_LOG_BYTES = 1L << 30;

        /** Limits with the default --max-log-size. */
        public Limits(Duration timeout, Duration stallTimeout, Long maxMemoryBytes, Duration killGrace,
                int maxAttempts, int attemptBudget) {
            this(timeout, stallTimeout, maxMemoryBytes, killGrace, maxAttempts, attemptBudget, DEFAULT_MAX_LOG_BYTES);
        }
    }

    /**
     * @param metrics the --metric choices, the run's primary metric first; empty when none was given
     * @param standby whether each slot's next worker is started ahead of its task (--standby)
     */
    public record Options(boolean saveModel, List<String> workerJvmOptions, boolean allowCpuFallback,
            List<MetricGoal> metrics, boolean standby) {
        /**
         * Whether a run has standby workers when nobody said: for the built-in worker (an empty command)
         * on the local backend with at most one CPU worker. Several CPU workers already keep the cores
         * busy, and a standby's start only competes with them: 12 mlp attempts with --cpu-workers 2 on 2
         * cores, 3 rounds side by side, took 15.1 s with standbys and 13.4 s without (with one CPU worker,
         * standbys save a third).
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

    /** --max-log-size; null for none. */
    public Long maxLogBytes() {
        return limits.maxLogBytes();
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

    /** The identity as run.json holds it: the fields compared on resume. */
    public ObjectNode identity() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("folds", experiment.folds());
        n.put("replicates", experiment.replicates());
        n.put("seed", experiment.seed());
        n.set("models", Json.MAPPER.valueToTree(experiment.models()));
        n.set("command", Json.MAPPER.valueToTree(experiment.command()));
        if (builtInWorker()) {
            n.put("data", experiment.data());
        }
        return n;
    }

    public ObjectNode toJson() {
        ObjectNode n = identity();
        n.put("out", outDir.toString());
        n.put("gpus", placement.gpus());
        n.put("workers_per_gpu", placement.workersPerGpu());
        n.put("cpu_workers", placement.cpuWorkers());
        n.put("backend", placement.backend().label());
        if (placement.slurm()) {
            n.set("slurm_options", Json.MAPPER.valueToTree(placement.slurmOptions()));
            n.put("max_running", placement.maxRunning());
        }
        n.put("timeout", limits.timeout() == null ? null : Durations.format(limits.timeout()));
        n.put("stall_timeout", limits.stallTimeout() == null ? null : Durations.format(limits.stallTimeout()));
        n.put("max_memory", limits.maxMemoryBytes() == null ? null : Sizes.format(limits.maxMemoryBytes()));
        n.put("kill_grace", Durations.format(limits.killGrace()));
        n.put("max_attempts", limits.maxAttempts());
        n.put("attempt_budget", limits.attemptBudget());
        n.put("max_log_size", limits.maxLogBytes() == null ? NO_LOG_CAP : Sizes.format(limits.maxLogBytes()));
        n.put("save_model", options.saveModel());
        n.set("worker_jvm_options", Json.MAPPER.valueToTree(options.workerJvmOptions()));
        n.put("allow_cpu_fallback", options.allowCpuFallback());
        n.put("standby", options.standby());
        n.set("metrics", Json.MAPPER.valueToTree(options.metrics().stream().map(MetricGoal::toString).toList()));
        return n;
    }

    /** The spec a run.json records, for {@code resume DIR}. */
    public static RunSpec fromJson(Path outDir, JsonNode n) throws BadInput {
        try {
            List<ModelConfig> models = new ArrayList<>();
            for (JsonNode m : n.path("models")) {
                models.add(Json.MAPPER.treeToValue(m, ModelConfig.class));
            }
            List<String> command = new ArrayList<>();
            n.path("command").forEach(c -> command.add(c.asText()));
            List<String> jvm = new ArrayList<>();
            n.path("worker_jvm_options").forEach(c -> jvm.add(c.asText()));
            List<MetricGoal> metrics = new ArrayList<>();
            n.path("metrics").forEach(c -> metrics.add(MetricGoal.parse(c.asText())));
            Experiment e = new Experiment(n.path("folds").asInt(), n.path("replicates").asInt(), n.path("seed").asLong(),
                    models, command, n.hasNonNull("data") ? n.get("data").asText() : null);
            Backend backend = backend(n);
            if (backend == null) {
                throw new BadInput(outDir.resolve("run.json") + " names an unknown backend '"
                        + n.path("backend").asText() + "'");
            }
            List<String> slurmOptions = new ArrayList<>();
            n.path("slurm_options").forEach(c -> slurmOptions.add(c.asText()));
            Placement p = new Placement(n.path("gpus").asText("all"), n.path("workers_per_gpu").asInt(1),
                    n.path("cpu_workers").asInt(1), backend, slurmOptions,
                    n.path("max_running").asInt(Placement.DEFAULT_MAX_RUNNING));
            Limits l = new Limits(duration(n, "timeout"), duration(n, "stall_timeout"),
                    n.hasNonNull("max_memory") ? Sizes.parse(n.get("max_memory").asText()) : null,
                    n.hasNonNull("kill_grace") ? Durations.parse(n.get("kill_grace").asText()) : Duration.ofSeconds(10),
                    n.path("max_attempts").asInt(3), n.path("attempt_budget").asInt(2 * e.replicates() * models.size()),
                    // absent: a run.json from before there was a cap gets the default
                    !n.hasNonNull("max_log_size") ? Limits.DEFAULT_MAX_LOG_BYTES
                            : n.get("max_log_size").asText().equals(NO_LOG_CAP) ? null
                            : Sizes.parse(n.get("max_log_size").asText()));
            // a run recorded before there were standby workers gets the default of its kind of worker
            Options o = new Options(n.path("save_model").asBoolean(true), jvm, n.path("allow_cpu_fallback").asBoolean(),
                    metrics, n.path("standby").asBoolean(Options.standbyByDefault(command, p)));
            if (e.folds() < 2 || e.replicates() < 1 || models.isEmpty()) {
                throw new BadInput(outDir.resolve("run.json") + " does not hold a complete run spec");
            }
            return new RunSpec(outDir, e, p, l, o);
        } catch (IOException | IllegalArgumentException ex) {
            throw new BadInput(outDir.resolve("run.json") + " cannot be read as a run spec: "
                    + String.valueOf(ex.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /** The backend a run.json names; a run.json from before there was a choice ran locally. Null when unknown. */
    public static Backend backend(JsonNode runJson) {
        return Backend.of(runJson.path("backend").asText(Backend.LOCAL.label()));
    }

    private static Duration duration(JsonNode n, String field) {
        return n.hasNonNull(field) ? Durations.parse(n.get(field).asText()) : null;
    }
}
