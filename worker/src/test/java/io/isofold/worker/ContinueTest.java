package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers killed for real (SIGKILL, SIGTERM) and continued from their checkpoints, in fresh JVMs as the
 * supervisor runs them, with one TensorFlow thread: every continued training must end exactly where the
 * uninterrupted one ends.
 */
@Tag("e2e")
class ContinueTest {
    /** 320 training images in 40 batches of 8, dropout on, early stopping possible from epoch 5. */
    private static final ModelConfig MLP = new ModelConfig("tiny", "mlp", 20, 8, 2e-3, 4, List.of(), List.of(32), 0.3);
    private static final int BATCHES = 40;
    private static final long SEED = 23;
    private static final Offset<Double> EXACT = Offset.offset(1e-6);
    /**
     * 15 here, to keep the test short (each kill costs a worker's start, about 11 s here under a load of 20);
     * scripts/bench-continue.sh storms with 100.
     */
    private static final int STORM_KILLS = 15;
    private static final long STORM_SEED = 20261206L;

    @TempDir
    static Path root;
    static Path data;
    /** The uninterrupted training's result; its checkpoint directory holds its last two checkpoints. */
    static JsonNode reference;
    static Path referenceCheckpoints;

    @BeforeAll
    static void trainUninterrupted() throws Exception {
        data = root.resolve("data");
        TestData.writeIdx(TestData.bundledSlice(40), data, "train", true);
        referenceCheckpoints = root.resolve("reference-checkpoints");
        Attempt a = Attempt.start(root.resolve("reference"), MLP, SEED, referenceCheckpoints, null, false);
        assertThat(a.finish()).as(a.stderr()).isZero();
        reference = a.result();
        assertThat(reference.has("continued_from")).isFalse();
        assertThat(a.continued()).isNull();
        System.out.printf("uninterrupted: %d epochs, best %d, val_loss %.6f%n",
                reference.path("metrics").path("epochs_run").asInt(), reference.path("metrics").path("best_epoch").asInt(),
                reference.path("metrics").path("val_loss").asDouble());
    }

    @Test
    void theResultDeclaresItsMetricsDirections() {
        JsonNode directions = reference.path("directions");
        assertThat(directions.path("val_loss").asText()).isEqualTo("min");
        assertThat(directions.path("val_accuracy").asText()).isEqualTo("max");
        reference.path("metrics").fieldNames().forEachRemaining(metric ->
                assertThat(directions.path(metric).asText()).as(metric).isIn("min", "max"));
    }

    @Test
    void aWorkerKilledAfterEpoch3ContinuesFromThereAndEndsAsTheUninterruptedOne() throws Exception {
        Path checkpoints = root.resolve("kill-checkpoints");
        Files.createDirectories(checkpoints);
        // the directory from the environment only, as a worker command gets it
        Attempt first = Attempt.start(root.resolve("kill-1"), MLP, SEED, null, null, false,
                Map.of(WorkerEnv.CHECKPOINT_DIR, checkpoints.toString()));
        first.await(lines -> lines.stream().anyMatch(e -> e.endOfEpoch() && e.epoch() >= 3));
        first.process.destroyForcibly();
        System.out.println("attempt 1 SIGKILLed after epoch 3: exit " + first.finish());

        Attempt second = Attempt.start(root.resolve("kill-2"), MLP, SEED, null, null, false,
                Map.of(WorkerEnv.CHECKPOINT_DIR, checkpoints.toString()));
        assertThat(second.finish()).as(second.stderr()).isZero();

        ProgressEvent continued = second.continued();
        assertThat(continued).as(second.stderr()).isNotNull();
        assertThat(continued.epoch()).isGreaterThanOrEqualTo(3);
        assertThat(continued.batch()).isZero();
        assertThat(continued.restoredSeconds()).isPositive();
        // its epoch lines go on from the checkpoint's
        List<Integer> epochs = second.lines().stream().filter(ProgressEvent::endOfEpoch).map(ProgressEvent::epoch).toList();
        int last = reference.path("metrics").path("epochs_run").asInt();
        assertThat(epochs).isEqualTo(java.util.stream.IntStream.rangeClosed(continued.epoch() + 1, last).boxed().toList());
        JsonNode result = second.result();
        assertThat(result.path("continued_from").path("epoch").asInt()).isEqualTo(continued.epoch());
        assertThat(result.path("continued_from").path("batch").asInt()).isZero();
        assertThat(result.path("continued_from").path("restored_seconds").asDouble()).isEqualTo(continued.restoredSeconds());
        assertSameTraining(result);
    }

    @Test
    void sigtermSavesAtTheNextBatchBoundaryWithinTheGraceAndTheContinuationStartsThere() throws Exception {
        // so many epochs that the training is still going when the signal comes
        ModelConfig endless = new ModelConfig("endless", "mlp", 100_000, 8, 2e-3, 100_000, List.of(), List.of(32), 0.3);
        Path checkpoints = root.resolve("term-checkpoints");
        Attempt first = Attempt.start(root.resolve("term-1"), endless, SEED, checkpoints, null, false);
        first.await(lines -> lines.stream().anyMatch(e -> e.endOfEpoch() && e.epoch() >= 2));
        long signalled = System.nanoTime();
        first.process.destroy(); // SIGTERM
        int status = first.finish();
        double exitSeconds = (System.nanoTime() - signalled) / 1e9;
        String stderr = first.stderr();
        System.out.printf("SIGTERM to exit: %.2f s; %s%n", exitSeconds,
                stderr.lines().filter(l -> l.contains("SIGTERM")).findFirst().orElse("no SIGTERM line"));
        assertThat(status).as(stderr).isEqualTo(143);
        Matcher m = Pattern.compile("SIGTERM at step (\\d+) \\(epoch \\d+, \\d+ of 40 batches done\\); "
                + "checkpoint saved at step (\\d+); exiting").matcher(stderr);
        assertThat(m.find()).as(stderr).isTrue();
        long at = Long.parseLong(m.group(1));
        long saved = Long.parseLong(m.group(2));
        // the batch under way when the signal came is finished and saved, nothing more: that is what keeps the exit
        // within the kill grace (a batch, a save and the JVM's exit; the time is printed above, not asserted, since
        // a loaded machine stretches it)
        assertThat(saved - at).isBetween(0L, 1L);

        Attempt second = Attempt.start(root.resolve("term-2"), endless, SEED, checkpoints, null, false);
        ProgressEvent continued = second.await(lines -> lines.stream()
                .anyMatch(e -> ProgressEvent.PHASE_CONTINUED.equals(e.phase()))).stream()
                .filter(e -> ProgressEvent.PHASE_CONTINUED.equals(e.phase())).findFirst().orElseThrow();
        second.process.destroyForcibly();
        second.finish();
        assertThat((long) continued.epoch() * BATCHES + continued.batch()).isEqualTo(saved);
    }

    @Test
    void whenItsSupervisorDiesItSavesAtTheNextBatchBoundaryAndExits3() throws Exception {
        ModelConfig endless = new ModelConfig("endless", "mlp", 100_000, 8, 2e-3, 100_000, List.of(), List.of(32), 0.3);
        Process supervisor = new ProcessBuilder("sleep", "600").start();
        try {
            Attempt a = Attempt.start(root.resolve("orphan"), endless, SEED, root.resolve("orphan-checkpoints"), null,
                    false, Map.of(WorkerEnv.SUPERVISOR_PID, Long.toString(supervisor.pid())));
            a.await(lines -> lines.stream().anyMatch(e -> e.endOfEpoch() && e.epoch() >= 1));
            supervisor.destroyForcibly();
            assertThat(a.finish()).as(a.stderr()).isEqualTo(WorkerEnv.EXIT_SUPERVISOR_LOST);
            Matcher m = Pattern.compile("supervisor process " + supervisor.pid() + " has died at step (\\d+) .*; "
                    + "checkpoint saved at step (\\d+); exiting").matcher(a.stderr());
            assertThat(m.find()).as(a.stderr()).isTrue();
            assertThat(Long.parseLong(m.group(2)) - Long.parseLong(m.group(1))).isBetween(0L, 1L);
        } finally {
            supervisor.destroyForcibly();
        }
    }

    @Test
    void aTornNewestCheckpointFallsBackToThePreviousAndAnotherSeedsIsRefused() throws Exception {
        Path checkpoints = copy(referenceCheckpoints, root.resolve("torn-checkpoints"));
        List<Path> saved = checkpointFiles(checkpoints);
        assertThat(saved).hasSize(2);
        Path newest = saved.get(1);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        // a write killed before its rename
        long number = Long.parseLong(newest.getFileName().toString().substring(11, 19));
        Files.write(checkpoints.resolve(String.format("checkpoint-%08d.bin.tmp", number + 1)),
                java.util.Arrays.copyOf(bytes, 100));

        Attempt a = Attempt.start(root.resolve("torn"), MLP, SEED, checkpoints, null, false);
        assertThat(a.finish()).as(a.stderr()).isZero();
        int epochs = reference.path("metrics").path("epochs_run").asInt();
        assertThat(a.continued().epoch()).isEqualTo(epochs - 1);
        assertThat(a.stderr()).contains(newest.getFileName() + " not used: ")
                .contains("falling back to the previous checkpoint, " + saved.get(0).getFileName());
        assertSameTraining(a.result());

        Attempt other = Attempt.start(root.resolve("other-seed"), MLP, SEED + 1, copy(referenceCheckpoints,
                root.resolve("other-seed-checkpoints")), null, false);
        other.awaitStderr("training starts from the beginning");
        other.process.destroyForcibly();
        other.finish();
        assertThat(other.stderr()).contains("made for another training: seed: 24 here, 23 in the checkpoint");
        assertThat(other.continued()).isNull();
    }

    /**
     * Workers that checkpoint after every batch, SIGKILLed again and again at seeded moments between their
     * saves, so that many kills land during a write: every one after the first continues from a whole
     * checkpoint at least as far as the one before, none meets a torn one, and the last ends where the
     * uninterrupted training ends.
     */
    @Test
    void aKillStormLosesNothingButTheBatchesSinceTheLastCheckpoint() throws Exception {
        Path checkpoints = root.resolve("storm-checkpoints");
        Random moments = new Random(STORM_SEED);
        long lastStep = 0;
        int midWrite = 0;
        int continuations = 0;
        List<String> plan = new ArrayList<>();
        for (int kill = 1; kill <= STORM_KILLS; kill++) {
            int saves = 1 + moments.nextInt(4);
            int extraMillis = moments.nextInt(15);
            plan.add(saves + "+" + extraMillis + "ms");
            boolean hadCheckpoint = !checkpointFiles(checkpoints).isEmpty();
            Attempt a = Attempt.start(root.resolve("storm-" + kill), MLP, SEED, checkpoints, 0L, false);
            a.await(lines -> lines.stream().anyMatch(e -> ProgressEvent.PHASE_TRAINING.equals(e.phase())));
            long base = highestCheckpoint(checkpoints);
            while (highestCheckpoint(checkpoints) < base + saves && a.process.isAlive()) {
                Thread.sleep(1);
            }
            Thread.sleep(extraMillis);
            assertThat(a.process.isAlive()).as("the training ended before kill %d: %s", kill, a.stderr()).isTrue();
            a.process.destroyForcibly();
            a.finish();
            try (Stream<Path> files = Files.list(checkpoints)) {
                midWrite += files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")) ? 1 : 0;
            }
            assertThat(a.stderr()).doesNotContain("not used");
            ProgressEvent continued = a.continued();
            assertThat(continued != null).as("kill %d: continued iff there was a checkpoint", kill).isEqualTo(hadCheckpoint);
            if (continued != null) {
                continuations++;
                long step = (long) continued.epoch() * BATCHES + continued.batch();
                assertThat(step).isGreaterThanOrEqualTo(lastStep);
                lastStep = step;
            }
        }
        Attempt last = Attempt.start(root.resolve("storm-last"), MLP, SEED, checkpoints, null, false);
        assertThat(last.finish()).as(last.stderr()).isZero();
        System.out.printf("kill storm: %d SIGKILLs (seed %d: %s), %d of them during a checkpoint write, %d continuations;"
                + " the last continued at step %d%n", STORM_KILLS, STORM_SEED, plan, midWrite, continuations,
                (long) last.continued().epoch() * BATCHES + last.continued().batch());
        assertThat(last.stderr()).doesNotContain("not used");
        assertThat(checkpointFiles(checkpoints)).hasSizeLessThanOrEqualTo(2);
        assertSameTraining(last.result());
    }

    private static void assertSameTraining(JsonNode result) {
        for (String metric : List.of("val_loss", "val_accuracy", "train_loss", "train_accuracy", "best_epoch", "epochs_run")) {
            assertThat(result.path("metrics").path(metric).asDouble()).as(metric)
                    .isCloseTo(reference.path("metrics").path(metric).asDouble(), EXACT);
        }
        JsonNode history = result.path("history");
        JsonNode expected = reference.path("history");
        assertThat(history.size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(history.get(i).path("epoch").asInt()).isEqualTo(i + 1);
            for (String f : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
                assertThat(history.get(i).path(f).asDouble()).as("epoch %d %s", i + 1, f)
                        .isCloseTo(expected.get(i).path(f).asDouble(), EXACT);
            }
        }
    }

    private static List<Path> checkpointFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d{8}\\.bin")).sorted().toList();
        }
    }

    /** The number of the newest checkpoint file, written or being written; 0 when none. */
    private static long highestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("checkpoint-\\d{8}\\.bin(\\.tmp)?"))
                    .mapToLong(n -> Long.parseLong(n.substring(11, 19))).max().orElse(0);
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (Path p : checkpointFiles(from)) {
            Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return to;
    }

    /** One worker JVM, as the supervisor starts it for an attempt. */
    private record Attempt(Process process, Path dir) {
        static Attempt start(Path dir, ModelConfig c, long seed, Path checkpoints, Long every, boolean saveModel)
                throws IOException {
            return start(dir, c, seed, checkpoints, every, saveModel, Map.of());
        }

        static Attempt start(Path dir, ModelConfig c, long seed, Path checkpoints, Long every, boolean saveModel,
                             Map<String, String> extraEnv) throws IOException {
            Files.createDirectories(dir);
            Task task = new Task(0, 1, c.name(), c, 1, 5, 0, 17, seed, 1, "cpu", data.toString(), saveModel,
                    dir.toString(), dir.resolve("progress.jsonl").toString(), dir.resolve("result.json").toString(),
                    checkpoints == null ? null : checkpoints.toString(), every);
            Files.writeString(dir.resolve("task.json"), Json.MAPPER.writeValueAsString(task));
            Map<String, String> env = new HashMap<>();
            env.put(WorkerEnv.TASK, dir.resolve("task.json").toString());
            env.put(WorkerEnv.SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
            env.put(WorkerEnv.CUDA_VISIBLE_DEVICES, "");
            env.put(WorkerEnv.THREADS, "1"); // one thread: a continued training repeats the uninterrupted one exactly
            env.putAll(extraEnv);
            // the client compiler only, as the supervisor starts the worker: it starts in half the time
            return new Attempt(ChildJvm.start(dir, env, List.of("-XX:TieredStopAtLevel=1"), WorkerMain.class), dir);
        }

        int finish() throws Exception {
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("worker did not finish in 180 s: " + stderr());
            }
            return process.exitValue();
        }

        String stderr() throws IOException {
            return Files.readString(dir.resolve("stderr.log"));
        }

        JsonNode result() throws IOException {
            return Json.MAPPER.readTree(dir.resolve("result.json").toFile());
        }

        /** The progress file's whole lines (the worker may be writing the last one). */
        List<ProgressEvent> lines() throws IOException {
            return ProgressLines.events(dir.resolve("progress.jsonl"));
        }

        /** The {@code continued} line, or null; there is at most one. */
        ProgressEvent continued() throws IOException {
            List<ProgressEvent> c = lines().stream().filter(e -> ProgressEvent.PHASE_CONTINUED.equals(e.phase())).toList();
            assertThat(c).hasSizeLessThanOrEqualTo(1);
            return c.isEmpty() ? null : c.get(0);
        }

        List<ProgressEvent> await(Predicate<List<ProgressEvent>> done) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                List<ProgressEvent> lines = lines();
                if (done.test(lines)) {
                    return lines;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("worker exited (" + process.exitValue() + ") first: " + stderr());
                }
                Thread.sleep(2);
            }
            throw new AssertionError("progress did not come in 180 s: " + lines());
        }

        void awaitStderr(String text) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!stderr().contains(text)) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("no '" + text + "' on stderr: " + stderr());
                }
                Thread.sleep(10);
            }
        }
    }
}
