package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.shared.ModelConfig;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ResolvedTaskTest {
    private static Task task(String model, ModelConfig config, int fold, String attemptDir) {
        return new Task(3, 3, model, config, fold, 5, 0, 1, 2, 1, "cpu", "/data", true, attemptDir, null, null, null, null);
    }

    @Test
    void pathsComeFromTheTaskThenTheEnvironmentThenTheTaskFolder() {
        Path taskDir = Path.of("/runs/r/replicates/3/attempt-1");
        ResolvedTask fromTask = ResolvedTask.resolve(task("cnn", null, 0, "/a"), taskDir,
                Map.of(WorkerEnv.ATTEMPT_DIR, "/b", WorkerEnv.RESULT, "/env/result.json"));
        assertThat(fromTask.attemptDir()).isEqualTo(Path.of("/a"));
        assertThat(fromTask.resultFile()).isEqualTo(Path.of("/env/result.json"));
        assertThat(fromTask.progressFile()).isEqualTo(Path.of("/a/progress.jsonl"));

        ResolvedTask fallback = ResolvedTask.resolve(task("cnn", null, 0, null), taskDir, Map.of());
        assertThat(fallback.attemptDir()).isEqualTo(taskDir);
        assertThat(fallback.resultFile()).isEqualTo(taskDir.resolve("result.json"));
        assertThat(fallback.threads()).isNull();
    }

    @Test
    void aTaskWithoutModelConfigGetsTheArchitecturesDefaults() {
        assertThat(ResolvedTask.resolve(task("mlp", null, 0, "/a"), Path.of("/"), Map.of()).config())
                .isEqualTo(ModelConfig.defaults("mlp"));
        assertThatThrownBy(() -> ResolvedTask.resolve(task("resnet", null, 0, "/a"), Path.of("/"), Map.of()))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("resnet");
    }

    @Test
    void invalidSettingsAreBadTasks() {
        assertThatThrownBy(() -> ResolvedTask.resolve(task("cnn", null, 5, "/a"), Path.of("/"), Map.of()))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("fold 5 is outside 0..4");
        ModelConfig badDropout = new ModelConfig("x", "mlp", 1, 8, 1e-3, 1, null, java.util.List.of(4), 1.0);
        assertThatThrownBy(() -> ResolvedTask.resolve(task("x", badDropout, 0, "/a"), Path.of("/"), Map.of()))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("dropout");
        assertThatThrownBy(() -> ResolvedTask.resolve(task("cnn", null, 0, "/a"), Path.of("/"),
                Map.of(WorkerEnv.THREADS, "two")))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("ISOFOLD_THREADS");
        assertThat(ResolvedTask.resolve(task("cnn", null, 0, "/a"), Path.of("/"), Map.of(WorkerEnv.THREADS, "2"))
                .threads()).isEqualTo(2);
    }

    @Test
    void theCheckpointDirectoryComesFromTheTaskThenTheEnvironmentElseThereIsNone() {
        Task withDir = new Task(3, 3, "cnn", null, 0, 5, 0, 1, 2, 1, "cpu", "/data", true, "/a", null, null,
                "/runs/r/replicates/3/checkpoint", 600L);
        Map<String, String> env = Map.of(WorkerEnv.CHECKPOINT_DIR, "/env/checkpoint");
        assertThat(ResolvedTask.resolve(withDir, Path.of("/"), env).checkpointDir())
                .isEqualTo(Path.of("/runs/r/replicates/3/checkpoint"));
        assertThat(ResolvedTask.resolve(task("cnn", null, 0, "/a"), Path.of("/"), env).checkpointDir())
                .isEqualTo(Path.of("/env/checkpoint"));
        assertThat(ResolvedTask.resolve(task("cnn", null, 0, "/a"), Path.of("/"), Map.of()).checkpointDir()).isNull();
        Task negative = new Task(3, 3, "cnn", null, 0, 5, 0, 1, 2, 1, "cpu", "/data", true, "/a", null, null, null, -1L);
        assertThatThrownBy(() -> ResolvedTask.resolve(negative, Path.of("/"), Map.of()))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("checkpoint_every");
    }

    @Test
    void theSupervisorsDefaultDataPathResolvesAgainstTheRepositoryRoot() {
        // tests run in worker/, where this relative path does not exist
        assertThat(Path.of("worker/data/fashion-mnist-10k")).doesNotExist();
        Path resolved = ResolvedTask.dataPath("worker/data/fashion-mnist-10k");
        assertThat(resolved).isAbsolute();
        assertThat(Files.isDirectory(resolved)).isTrue();
        assertThat(ResolvedTask.dataPath("no/such/thing")).isEqualTo(Path.of("no/such/thing"));
    }

    @Test
    void theTaskComesFromTheTaskOptionBeforeTheEnvironment(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path fromArg = dir.resolve("arg.json");
        io.isofold.shared.Json.MAPPER.writeValue(fromArg.toFile(), task("mlp", null, 2, null));
        Map<String, String> env = Map.of(WorkerEnv.TASK, dir.resolve("missing.json").toString());

        ResolvedTask t = ResolvedTask.load(new String[] {"--task", fromArg.toString()}, env);

        assertThat(t.task().fold()).isEqualTo(2);
        assertThat(t.attemptDir()).isEqualTo(dir); // the task file's folder
        assertThatThrownBy(() -> ResolvedTask.load(new String[0], env))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("cannot read task");
        assertThatThrownBy(() -> ResolvedTask.load(new String[] {"--tsk", "x"}, Map.of()))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("unknown argument '--tsk'");
        assertThatThrownBy(() -> ResolvedTask.load(new String[0], Map.of()))
                .isInstanceOf(BadTaskException.class).hasMessageContaining("ISOFOLD_TASK");
    }
}
