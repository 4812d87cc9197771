package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Handoff;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby worker for real: a fresh JVM prepares, waits for its handoff file, then runs the task it
 * is handed exactly as a worker started for it would, and exits.
 */
@Tag("e2e")
class StandbyTest {
    private static final ModelConfig TINY = new ModelConfig("tiny", "mlp", 2, 32, 2e-3, 2, List.of(), List.of(32), 0.0);

    @TempDir
    Path tmp;

    /** How long after its handoff was written the last attempt handed over was seen to have a progress line. */
    private double firstLineSeenAfterSeconds = Double.NaN;

    @Test
    void whenTheGuessWasRightTheGraphBuiltAheadIsUsedAndTheResultIsAFreshWorkersOwn() throws Exception {
        Path data = data(30);
        assertThat(standbyRun(data, 2, "", 2, standby -> {})).as(Files.readString(standbyStderr())).isZero();
        assertThat(Files.readString(standbyStderr())).contains("using the graph built ahead");
        assertSameAsFresh(data, 2, Json.MAPPER.readTree(tmp.resolve("attempt/result.json").toFile()));
    }

    @Test
    void aStandbyWaitsThenRunsTheTaskItIsHandedAndGetsTheSameResultAsAFreshWorker() throws Exception {
        Path data = data(30);
        // the task announced ahead is another replicate than the one handed over: the handoff decides
        int status = standbyRun(data, 0, "", 3,
                standby -> assertThat(standby.isAlive()).as("it waits for its task").isTrue());
        assertThat(status).as(Files.readString(standbyStderr())).isZero();
        Path attempt = tmp.resolve("attempt");
        JsonNode fromStandby = Json.MAPPER.readTree(attempt.resolve("result.json").toFile());
        // its progress counts from the handoff, not from the JVM's start seconds before: the first line's
        // time is at most the time between writing the handoff and seeing that line (to the millisecond)
        String first = Files.readAllLines(attempt.resolve("progress.jsonl")).get(0);
        assertThat(Json.MAPPER.readTree(first).path("seconds").asDouble())
                .isLessThanOrEqualTo(firstLineSeenAfterSeconds + 0.001);

        assertThat(Files.readString(standbyStderr())).doesNotContain("using the graph built ahead");
        assertSameAsFresh(data, 3, fromStandby);
    }

    /** The same task in a worker started for it: what the standby did ahead changed nothing of the result. */
    private void assertSameAsFresh(Path data, int replicate, JsonNode fromStandby) throws Exception {
        Path fresh = Files.createDirectories(tmp.resolve("fresh"));
        Files.writeString(fresh.resolve("task.json"), Json.MAPPER.writeValueAsString(task(data, replicate, fresh)));
        Map<String, String> freshEnv = new HashMap<>(attemptEnv(fresh));
        freshEnv.put(WorkerEnv.CUDA_VISIBLE_DEVICES, "");
        freshEnv.put(WorkerEnv.THREADS, "1");
        Process p = ChildJvm.start(fresh, freshEnv, WorkerMain.class);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(fresh.resolve("stderr.log"))).isZero();
        JsonNode fromFresh = Json.MAPPER.readTree(fresh.resolve("result.json").toFile());
        for (String metric : List.of("val_loss", "val_accuracy", "train_loss", "best_epoch")) {
            assertThat(fromStandby.path("metrics").path(metric).asDouble()).as(metric)
                    .isEqualTo(fromFresh.path("metrics").path(metric).asDouble());
        }
    }

    /**
     * On a GPU slot the standby must not touch the device before its task. TensorFlow says on stderr
     * when it initialises CUDA (here, with no driver, that it failed to): never before the handoff, and
     * right after it, which shows the check would see it.
     */
    @Test
    void onAGpuSlotTheStandbyInitialisesCudaOnlyAfterItsHandoff() throws Exception {
        Path data = data(10);
        standbyRun(data, 0, "0", 1, standby -> {
            // a while for anything it would still do on its own to show (nothing to wait for: nothing must happen)
            Thread.sleep(1000);
            assertThat(Files.readString(standbyStderr())).doesNotContainIgnoringCase("cuInit");
        });
        assertThat(Files.readString(standbyStderr())).containsIgnoringCase("cuInit");
    }

    private Path data(int perClass) throws Exception {
        Path data = tmp.resolve("data");
        TestData.writeIdx(TestData.bundledSlice(perClass), data, "train", true);
        return data;
    }

    /** What a test checks while the standby waits for its task. */
    private interface WhileWaiting {
        void check(Process standby) throws Exception;
    }

    /**
     * Starts a standby told to expect replicate {@code expected}, checks {@code whileWaiting} once it
     * waits, then hands it replicate {@code handed}; the standby's exit status.
     */
    private int standbyRun(Path data, int expected, String cuda, int handed, WhileWaiting whileWaiting) throws Exception {
        Process standby = startStandby(data, expected, cuda);
        try {
            awaitLine(standbyStderr(), "waiting for the task", 120);
            whileWaiting.check(standby);
            return handOver(standby, data, handed);
        } finally {
            standby.destroyForcibly();
        }
    }

    /** A standby JVM told to expect replicate {@code expected}, on a CPU slot ({@code ""}) or GPU {@code cuda}. */
    private Process startStandby(Path data, int expected, String cuda) throws Exception {
        Path standbyDir = Files.createDirectories(tmp.resolve("standby"));
        Files.writeString(standbyDir.resolve("task.json"),
                Json.MAPPER.writeValueAsString(task(data, expected, standbyDir)));
        Map<String, String> env = new HashMap<>();
        env.put(WorkerEnv.CUDA_VISIBLE_DEVICES, cuda);
        if (cuda.isEmpty()) {
            env.put(WorkerEnv.THREADS, "1"); // one thread: results repeat exactly, for the comparisons
        }
        env.put(WorkerEnv.TASK, standbyDir.resolve("task.json").toString());
        env.put(WorkerEnv.STANDBY, standbyDir.resolve("handoff.json").toString());
        return ChildJvm.start(standbyDir, env, WorkerMain.class);
    }

    private Path standbyStderr() {
        return tmp.resolve("standby/stderr.log");
    }

    /**
     * Hands the standby replicate {@code replicate} in {@code tmp/attempt}; returns its exit status, and
     * notes in {@link #firstLineSeenAfterSeconds} when the attempt's first progress line was there.
     */
    private int handOver(Process standby, Path data, int replicate) throws Exception {
        Path attempt = Files.createDirectories(tmp.resolve("attempt"));
        Files.writeString(attempt.resolve("task.json"), Json.MAPPER.writeValueAsString(task(data, replicate, attempt)));
        Path progress = attempt.resolve("progress.jsonl");
        long handedAt = System.currentTimeMillis(); // the wall clock, as the worker's progress times
        new Handoff(attemptEnv(attempt)).write(tmp.resolve("standby/handoff.json"));
        Await.until("the attempt's first progress line", Duration.ofSeconds(120), () -> {
            try {
                return !standby.isAlive() || Files.exists(progress) && Files.readString(progress).contains("\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        firstLineSeenAfterSeconds = (System.currentTimeMillis() - handedAt) / 1000.0;
        assertThat(standby.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return standby.exitValue();
    }

    private static Task task(Path data, int replicate, Path dir) {
        return new Task(replicate, replicate, TINY.name(), TINY, replicate % 5, 5, 0, 3, 100 + replicate, 1, "cpu",
                data.toString(), false, dir.toString(), dir.resolve("progress.jsonl").toString(),
                dir.resolve("result.json").toString(), null, null);
    }

    private static Map<String, String> attemptEnv(Path attempt) {
        return Map.of(WorkerEnv.TASK, attempt.resolve("task.json").toString(),
                WorkerEnv.ATTEMPT_DIR, attempt.toString(),
                WorkerEnv.PROGRESS, attempt.resolve("progress.jsonl").toString(),
                WorkerEnv.RESULT, attempt.resolve("result.json").toString());
    }

    private static void awaitLine(Path file, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no '" + text + "' in " + file + " within " + seconds + " s: "
                + (Files.exists(file) ? Files.readString(file) : "absent"));
    }
}
