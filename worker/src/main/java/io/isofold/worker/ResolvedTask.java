package io.isofold.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A task with every path and setting the worker needs decided and checked: fields the task leaves
 * out come from the environment the supervisor sets, then from the task file's folder.
 *
 * @param threads       TensorFlow's intra- and inter-op thread count, or null for its default
 * @param checkpointDir the replicate's checkpoint directory (the task's, else {@code ISOFOLD_CHECKPOINT_DIR}), or null
 *                      for a training without checkpoints
 */
public record ResolvedTask(Task task, ModelConfig config, Path data, Path attemptDir, Path progressFile,
                           Path resultFile, Integer threads, Path checkpointDir) {

    /** Reads the task named by {@code --task PATH}, else by {@code ISOFOLD_TASK}. */
    public static ResolvedTask load(String[] args, Map<String, String> env) {
        String taskPath = env.get(WorkerEnv.TASK);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--task") && i + 1 < args.length) {
                taskPath = args[++i];
            } else if (args[i].startsWith("--task=")) {
                taskPath = args[i].substring("--task=".length());
            } else {
                throw new BadTaskException("unknown argument '" + args[i] + "' (usage: WorkerMain [--task PATH])");
            }
        }
        if (taskPath == null || taskPath.isBlank()) {
            throw new BadTaskException("no task: set " + WorkerEnv.TASK + " or pass --task PATH");
        }
        Path file = Path.of(taskPath);
        Task task;
        try {
            task = Json.MAPPER.readValue(Files.readString(file), Task.class);
        } catch (JsonProcessingException e) {
            throw new BadTaskException("task " + file + " is not valid task JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadTaskException("cannot read task " + file + ": " + e);
        }
        if (task == null) {
            throw new BadTaskException("task " + file + " is empty");
        }
        return resolve(task, file.toAbsolutePath().getParent(), env);
    }

    static ResolvedTask resolve(Task task, Path taskDir, Map<String, String> env) {
        ModelConfig config = task.modelConfig();
        if (config == null) {
            if (task.model() == null || !ModelConfig.ARCHITECTURES.contains(task.model())) {
                throw new BadTaskException("task has no model_config and model '" + task.model()
                        + "' is not one of " + ModelConfig.ARCHITECTURES);
            }
            config = ModelConfig.defaults(task.model());
        }
        check(config);
        if (task.folds() < 2) {
            throw new BadTaskException("folds must be at least 2, got " + task.folds());
        }
        if (task.fold() < 0 || task.fold() >= task.folds()) {
            throw new BadTaskException("fold " + task.fold() + " is outside 0.." + (task.folds() - 1));
        }
        if (task.data() == null || task.data().isBlank()) {
            throw new BadTaskException("task names no data");
        }
        Path attemptDir = path(task.attemptDir(), env.get(WorkerEnv.ATTEMPT_DIR), taskDir);
        Path progress = path(task.progressFile(), env.get(WorkerEnv.PROGRESS), attemptDir.resolve("progress.jsonl"));
        Path result = path(task.resultFile(), env.get(WorkerEnv.RESULT), attemptDir.resolve("result.json"));
        Path checkpoints = path(task.checkpointDir(), env.get(WorkerEnv.CHECKPOINT_DIR), null);
        if (task.checkpointEvery() != null && task.checkpointEvery() < 0) {
            throw new BadTaskException("checkpoint_every must not be negative, got " + task.checkpointEvery());
        }
        return new ResolvedTask(task, config, dataPath(task.data()), attemptDir, progress, result, threads(env),
                checkpoints);
    }

    /**
     * A relative data path is taken from the working directory, or else from the repository root this
     * worker was built in, where the bundled default ({@code worker/data/fashion-mnist-10k}) lives.
     */
    static Path dataPath(String data) {
        Path p = Path.of(data);
        if (p.isAbsolute() || Files.exists(p)) {
            return p;
        }
        return repositoryRoot().map(root -> root.resolve(p)).filter(Files::exists).orElse(p);
    }

    /** The checkout holding this code: {@code worker/target/isofold-worker.jar} or {@code worker/target/classes}. */
    static java.util.Optional<Path> repositoryRoot() {
        try {
            Path here = Path.of(ResolvedTask.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = here.getParent();
            return java.util.Optional.ofNullable(target == null ? null : target.getParent())
                    .map(Path::getParent)
                    .filter(root -> Files.isDirectory(root.resolve("worker")));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The same check the CLI makes before launch ({@link ModelConfig#problem}), for tasks written by hand. */
    private static void check(ModelConfig c) {
        if (c.custom()) {
            throw new BadTaskException("model '" + c.name() + "' is a custom worker's variant, not one of "
                    + ModelConfig.ARCHITECTURES);
        }
        c.problem().ifPresent(p -> {
            throw new BadTaskException(p);
        });
    }

    private static Path path(String fromTask, String fromEnv, Path fallback) {
        if (fromTask != null && !fromTask.isBlank()) {
            return Path.of(fromTask);
        }
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return fallback;
    }

    private static Integer threads(Map<String, String> env) {
        String s = env.get(WorkerEnv.THREADS);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadTaskException(WorkerEnv.THREADS + " must be a positive integer, got '" + s + "'");
    }
}
