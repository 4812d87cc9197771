package io.isofold.supervisor.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run.json}, field by field, as the project's JSON mapper writes and reads it: flat, snake_case,
 * durations and sizes as people type them. Every field is optional on reading: one that a run.json from an
 * older isofold lacks gets its {@link Defaults default}, so an older run resumes as it ran.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record RunJson(
        Integer folds,
        Integer replicates,
        Long seed,
        List<ModelConfig> models,
        List<String> command,
        @JsonInclude(JsonInclude.Include.NON_NULL) String data,
        String workdir,
        String out,
        String gpus,
        Integer workersPerGpu,
        Integer cpuWorkers,
        String backend,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> slurmOptions,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxRunning,
        String timeout,
        String stallTimeout,
        String maxMemory,
        String killGrace,
        Integer maxAttempts,
        Integer attemptBudget,
        Integer retryIdentical,
        String maxLogSize,
        Boolean saveModel,
        List<String> workerJvmOptions,
        Boolean allowCpuFallback,
        Boolean standby,
        List<String> metrics,
        @JsonProperty("continue") Boolean continueAttempts,
        Boolean keepCheckpoints,
        String checkpointEvery,
        Race race) {

    /** {@code "race": {"burn_in": 3, "alpha": 0.05}}, or null when the run does not race. */
    record Race(Integer burnIn, Double alpha) {}

    static RunJson of(RunSpec s) {
        RunSpec.Experiment e = s.experiment();
        RunSpec.Placement p = s.placement();
        RunSpec.Limits l = s.limits();
        RunSpec.Options o = s.options();
        return new RunJson(e.folds(), e.replicates(), e.seed(), e.models(), e.command(), e.data(),
                e.workdir() == null ? null : e.workdir().toString(), s.outDir().toString(), p.gpus().toString(),
                p.workersPerGpu(), p.cpuWorkers(), p.backend().label(), p.slurmOptions(),
                p.slurm() ? p.maxRunning() : null, duration(l.timeout()), duration(l.stallTimeout()),
                size(l.maxMemoryBytes()), duration(l.killGrace()), l.maxAttempts(), l.attemptBudget(),
                l.retryIdentical(), l.maxLogSize() == null ? RunSpec.NO_LOG_CAP : Sizes.format(l.maxLogSize()), o.saveModel(), o.workerJvmOptions(), o.allowCpuFallback(),
                o.standby(), o.metrics().stream().map(MetricGoal::toString).toList(), o.continueAttempts(),
                o.keepCheckpoints(), duration(o.checkpointEvery()),
                o.race() == null ? null : new Race(o.race().burnIn(), o.race().alpha()));
    }

    static RunSpec read(Path outDir, Path file, JsonNode n) throws BadInput {
        RunJson j;
        try {
            j = Json.MAPPER.treeToValue(n, RunJson.class);
        } catch (JsonProcessingException e) {
            throw new BadInput(file + " cannot be read as a run spec: "
                    + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""));
        }
        try {
            return j.spec(outDir, file);
        } catch (IllegalArgumentException e) {
            throw new BadInput(file + " cannot be read as a run spec: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    private RunSpec spec(Path outDir, Path file) throws BadInput {
        List<ModelConfig> variants = models == null ? List.of() : models;
        List<String> argv = command == null ? List.of() : command;
        if (folds == null || folds < 2 || replicates == null || replicates < 1 || variants.isEmpty()) {
            throw new BadInput(file + " does not hold a complete run spec");
        }
        RunSpec.Backend b = RunSpec.Backend.of(backend == null ? RunSpec.Backend.LOCAL.label() : backend);
        if (b == null) {
            throw new BadInput(file + " names an unknown backend '" + backend + "'");
        }
        RunSpec.Experiment e = new RunSpec.Experiment(folds, replicates, or(seed, Defaults.SEED), variants, argv, data,
                workdir == null ? null : Path.of(workdir));
        RunSpec.Placement p = new RunSpec.Placement(gpus == null ? GpuRequest.ALL : GpuRequest.parse(gpus),
                or(workersPerGpu, Defaults.WORKERS_PER_GPU), or(cpuWorkers, Defaults.CPU_WORKERS), b,
                slurmOptions == null ? List.of() : slurmOptions, or(maxRunning, Defaults.MAX_RUNNING));
        RunSpec.Limits l = new RunSpec.Limits(duration(timeout), duration(stallTimeout), size(maxMemory),
                killGrace == null ? Durations.parse(Defaults.KILL_GRACE) : Durations.parse(killGrace),
                or(maxAttempts, Defaults.MAX_ATTEMPTS),
                or(attemptBudget, RunSpec.defaultBudget(replicates, variants.size())),
                // a run from before identical failures were told apart retries them as it did
                or(retryIdentical, 0), maxLogSize == null ? Long.valueOf(Sizes.parse(Defaults.MAX_LOG_SIZE))
                        : maxLogSize.equalsIgnoreCase(RunSpec.NO_LOG_CAP) ? null : Sizes.parse(maxLogSize));
        List<MetricGoal> goals = new ArrayList<>();
        for (String m : metrics == null ? List.<String>of() : metrics) {
            goals.add(MetricGoal.parse(m));
        }
        RunSpec.Options o = new RunSpec.Options(or(saveModel, true),
                workerJvmOptions == null ? List.of() : workerJvmOptions, or(allowCpuFallback, false), goals,
                // a run recorded before there were standby workers gets the default of its kind of worker
                standby != null ? standby : RunSpec.Options.standbyByDefault(argv, p),
                or(continueAttempts, true), or(keepCheckpoints, false),
                checkpointEvery == null ? Durations.parse(Defaults.CHECKPOINT_EVERY) : Durations.parse(checkpointEvery),
                race == null ? null : new RunSpec.Race(or(race.burnIn(), Defaults.RACE_BURN_IN),
                        race.alpha() == null ? Defaults.RACE_ALPHA : race.alpha()));
        return new RunSpec(outDir, e, p, l, o);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static String duration(Duration d) {
        return d == null ? null : Durations.format(d);
    }

    private static Duration duration(String text) {
        return text == null ? null : Durations.parse(text);
    }

    private static String size(Long bytes) {
        return bytes == null ? null : Sizes.format(bytes);
    }

    private static Long size(String text) {
        return text == null ? null : Sizes.parse(text);
    }
}
