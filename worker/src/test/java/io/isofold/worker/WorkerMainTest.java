package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import io.isofold.shared.WorkerResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker as the supervisor runs it: a fresh JVM, the task and paths in environment variables. */
@Tag("e2e")
class WorkerMainTest {
    private static final ModelConfig TINY_CNN =
            new ModelConfig("tiny", "cnn", 2, 32, 2e-3, 2, List.of(8, 16), List.of(32), 0.2);

    @TempDir
    Path tmp;

    private Task task(String data, ModelConfig config) {
        // attempt dir, progress and result files left out: the worker must take them from the environment
        return new Task(0, 1, config.name(), config, 1, 5, 0, 17, 23, 1, "cpu", data, true, null, null, null, null, null);
    }

    private record Run(int status, String stderr, Path attemptDir) {}

    private Run run(Object task) throws Exception {
        // a CPU slot, as the supervisor gives it: CUDA_VISIBLE_DEVICES set and empty
        return run(task, Map.of(WorkerEnv.CUDA_VISIBLE_DEVICES, ""));
    }

    private Run run(Object task, Map<String, String> slotEnv) throws Exception {
        Path attempt = tmp.resolve("attempt");
        Files.createDirectories(attempt);
        Path taskFile = attempt.resolve("task.json");
        if (task instanceof String s) {
            Files.writeString(taskFile, s);
        } else {
            Json.MAPPER.writeValue(taskFile.toFile(), task);
        }
        Map<String, String> env = new HashMap<>();
        env.put(WorkerEnv.TASK, taskFile.toString());
        env.put(WorkerEnv.ATTEMPT_DIR, attempt.toString());
        env.put(WorkerEnv.PROGRESS, attempt.resolve("progress.jsonl").toString());
        env.put(WorkerEnv.RESULT, attempt.resolve("result.json").toString());
        env.put(WorkerEnv.SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
        env.put(WorkerEnv.THREADS, "2");
        env.putAll(slotEnv);
        Process p = ChildJvm.start(attempt, env, WorkerMain.class);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("worker did not finish in 120 s");
        }
        return new Run(p.exitValue(), Files.readString(attempt.resolve("stderr.log")), attempt);
    }

    @Test
    void trainsAFoldAndWritesResultProgressAndModel() throws Exception {
        Path data = tmp.resolve("data");
        TestData.writeIdx(TestData.bundledSlice(50), data, "train", true);

        Run r = run(task(data.toString(), TINY_CNN));

        assertThat(r.status()).as(r.stderr()).isZero();
        WorkerResult result = Json.MAPPER.readValue(r.attemptDir().resolve("result.json").toFile(), WorkerResult.class);
        assertThat(result.metrics()).containsKeys("val_loss", "val_accuracy", "train_loss", "best_epoch",
                "epochs_run", "train_seconds", "examples_per_second");
        assertThat(result.metrics().values()).allMatch(Double::isFinite);
        assertThat(result.metrics().get("val_accuracy")).isGreaterThan(0.2); // 400 images, 2 epochs; chance is 0.1
        assertThat(result.trainExamples()).isEqualTo(400);
        assertThat(result.validationExamples()).isEqualTo(100);
        assertThat(result.device()).isEqualTo("cpu");
        assertThat(result.tfDevices()).containsExactly("/device:CPU:0");
        // a CPU slot: nothing to check, and the field is left out rather than written empty
        assertThat(result.cudaMissing()).isNull();
        assertThat(Json.MAPPER.readTree(r.attemptDir().resolve("result.json").toFile()).has("cuda_missing")).isFalse();

        List<ProgressEvent> epochs = Files.readAllLines(r.attemptDir().resolve("progress.jsonl")).stream()
                .map(l -> {
                    try {
                        return Json.MAPPER.readValue(l, ProgressEvent.class);
                    } catch (IOException e) {
                        throw new AssertionError(l, e);
                    }
                })
                .filter(ProgressEvent::endOfEpoch)
                .toList();
        assertThat(epochs).hasSize(result.metrics().get("epochs_run").intValue()).isEqualTo(result.history());
        assertThat(r.attemptDir().resolve("model/saved_model.pb")).isRegularFile();
        assertThat(r.attemptDir().resolve("tensorboard")).isDirectory();
        try (var files = Files.list(r.attemptDir())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(r.stderr()).contains("isofold-worker: epoch 1/2");
    }

    @Test
    void aGpuSlotWithoutCudaSaysItComputedOnTheCpuAndNamesTheMissingLibraries() throws Exception {
        // this machine has no NVIDIA driver: the GPU native library falls back to the CPU, for real
        assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a machine with an NVIDIA driver");
        Path data = tmp.resolve("data");
        TestData.writeIdx(TestData.bundledSlice(20), data, "train", true);
        ModelConfig oneEpoch = new ModelConfig("tiny", "mlp", 1, 32, 2e-3, 1, List.of(), List.of(16), 0.0);

        Run r = run(task(data.toString(), oneEpoch), Map.of(WorkerEnv.CUDA_VISIBLE_DEVICES, "0"));

        assertThat(r.status()).as(r.stderr()).isZero();
        var json = Json.MAPPER.readTree(r.attemptDir().resolve("result.json").toFile());
        assertThat(json.path("device").asText()).isEqualTo("cpu");
        List<String> missing = new java.util.ArrayList<>();
        json.path("cuda_missing").forEach(n -> missing.add(n.asText()));
        assertThat(missing).contains("libcuda.so.1", "libcudart.so.12")
                .isSubsetOf(io.isofold.shared.CudaLibraries.SONAMES);
        assertThat(r.stderr()).contains("GPU slot (CUDA_VISIBLE_DEVICES=0) but the loader finds no libcudart.so.12");
    }

    @Test
    void aTruncatedDatasetIsExit2WithOneLine() throws Exception {
        Path data = tmp.resolve("data");
        Path images = TestData.writeIdx(TestData.bundledSlice(20), data, "train", true);
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length / 3));

        Run r = run(task(data.toString(), TINY_CNN));

        assertBadTask(r, "truncated or corrupt");
    }

    @Test
    void aMissingDatasetIsExit2WithOneLine() throws Exception {
        assertBadTask(run(task(tmp.resolve("nowhere").toString(), TINY_CNN)), "does not exist");
    }

    @Test
    void malformedTaskJsonIsExit2WithOneLine() throws Exception {
        assertBadTask(run("{\"fold\": 0, \"folds\": "), "not valid task JSON");
    }

    @Test
    void anInvalidModelConfigIsExit2WithOneLine() throws Exception {
        ModelConfig bad = new ModelConfig("bad", "cnn", 2, 0, 1e-3, 2, List.of(8), List.of(8), 0.2);
        assertBadTask(run(task(TestData.BUNDLED.toString(), bad)), "batch_size must be at least 1");
    }

    @Test
    void anUnexpectedFailureIsExit1WithAStackTrace() throws Exception {
        Path data = tmp.resolve("data");
        TestData.writeIdx(TestData.bundledSlice(10), data, "train", true);
        Files.writeString(tmp.resolve("a-file"), "");
        ModelConfig c = TINY_CNN;
        Task t = new Task(0, 0, c.name(), c, 0, 5, 0, 1, 1, 1, "cpu", data.toString(), false, null,
                tmp.resolve("a-file/progress.jsonl").toString(), null, null, null);

        Run r = run(t);

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr()).contains("at io.isofold.worker.");
        assertThat(r.attemptDir().resolve("result.json")).doesNotExist();
    }

    private static void assertBadTask(Run r, String reason) {
        assertThat(r.status()).as(r.stderr()).isEqualTo(WorkerEnv.EXIT_BAD_TASK);
        assertThat(r.stderr().lines().toList()).singleElement().asString()
                .startsWith("isofold-worker: bad task: ")
                .contains(reason);
        assertThat(r.attemptDir().resolve("result.json")).doesNotExist();
    }
}
