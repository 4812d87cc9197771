package io.isofold.supervisor.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The resolved, validated spec of a run, as {@code run.json} records it. Nullable durations and
 * sizes mean "no limit".
 *
 * @param command the custom worker command, or empty for the built-in TensorFlow worker
 */
public record RunSpec(
        Path outDir,
        int folds,
        int replicates,
        String gpus,
        int workersPerGpu,
        int cpuWorkers,
        Duration timeout,
        Duration stallTimeout,
        Long maxMemoryBytes,
        Duration killGrace,
        int maxAttempts,
        int attemptBudget,
        long seed,
        List<String> command,
        List<ModelConfig> models,
        String data,
        boolean saveModel,
        List<String> workerJvmOptions) {

    public RunSpec {
        command = List.copyOf(command);
        models = List.copyOf(models);
        workerJvmOptions = List.copyOf(workerJvmOptions);
    }

    public boolean builtInWorker() {
        return command.isEmpty();
    }

    /** Completed replicates the run needs: N for each model. */
    public int requiredReplicates() {
        return replicates * models.size();
    }

    /**
     * What decides the results, and so must match for a resume: a changed timeout or GPU list
     * resumes the same run, a changed fold count or model would mix two experiments in one table.
     */
    public ObjectNode identity() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("folds", folds);
        n.put("replicates", replicates);
        n.put("seed", seed);
        n.set("models", Json.MAPPER.valueToTree(models));
        n.set("command", Json.MAPPER.valueToTree(command));
        if (builtInWorker()) {
            n.put("data", data);
        }
        return n;
    }

    public ObjectNode toJson() {
        ObjectNode n = identity();
        n.put("out", outDir.toString());
        n.put("gpus", gpus);
        n.put("workers_per_gpu", workersPerGpu);
        n.put("cpu_workers", cpuWorkers);
        n.put("timeout", timeout == null ? null : Durations.format(timeout));
        n.put("stall_timeout", stallTimeout == null ? null : Durations.format(stallTimeout));
        n.put("max_memory", maxMemoryBytes == null ? null : Sizes.format(maxMemoryBytes));
        n.put("kill_grace", Durations.format(killGrace));
        n.put("max_attempts", maxAttempts);
        n.put("attempt_budget", attemptBudget);
        n.put("save_model", saveModel);
        n.set("worker_jvm_options", Json.MAPPER.valueToTree(workerJvmOptions));
        return n;
    }
}
