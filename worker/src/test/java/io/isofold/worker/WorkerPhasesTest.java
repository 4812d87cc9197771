package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress file names the worker's phase from its first moments, and keeps beating while a phase
 * blocks. The task file is a named pipe the test writes only later: the worker blocks reading it, as
 * it would in a long phase, so the line it wrote before reading is visibly there first.
 */
@Tag("e2e")
class WorkerPhasesTest {
    @TempDir
    Path tmp;

    @Test
    void theFirstLineNamesStartingBeforeTheTaskIsReadThenThePhasesFollowInOrder() throws Exception {
        Path attempt = tmp.resolve("attempt");
        Files.createDirectories(attempt);
        Path data = tmp.resolve("data");
        TestData.writeIdx(TestData.bundledSlice(20), data, "train", true);
        Path taskPipe = attempt.resolve("task.json");
        Process mkfifo = new ProcessBuilder("mkfifo", taskPipe.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Path progress = attempt.resolve("progress.jsonl");
        Map<String, String> env = new HashMap<>();
        env.put(WorkerEnv.TASK, taskPipe.toString());
        env.put(WorkerEnv.ATTEMPT_DIR, attempt.toString());
        env.put(WorkerEnv.PROGRESS, progress.toString());
        env.put(WorkerEnv.RESULT, attempt.resolve("result.json").toString());
        env.put(WorkerEnv.CUDA_VISIBLE_DEVICES, "");
        env.put(WorkerEnv.THREADS, "2");

        long launched = System.nanoTime();
        Process p = ChildJvm.start(attempt, env, WorkerMain.class);
        try {
            List<ProgressEvent> first = await(progress, lines -> !lines.isEmpty(), 30);
            System.out.printf("first progress line %.2f s after launch: %s%n", (System.nanoTime() - launched) / 1e9,
                    Files.readAllLines(progress).get(0));
            assertThat(first.get(0).phase()).isEqualTo(ProgressEvent.PHASE_STARTING);
            assertThat(first.get(0).endOfEpoch()).isFalse();

            // blocked on the task: the heartbeat repeats the phase (every 5 s)
            List<ProgressEvent> beating = await(progress, lines -> lines.size() >= 2, 30);
            assertThat(beating).extracting(ProgressEvent::phase).containsOnly(ProgressEvent.PHASE_STARTING);
            assertThat(p.isAlive()).isTrue();

            ModelConfig c = new ModelConfig("tiny", "mlp", 2, 32, 2e-3, 2, List.of(), List.of(16), 0.0);
            Task task = new Task(0, 0, c.name(), c, 0, 5, 0, 3, 5, 1, "cpu", data.toString(), true, null, null, null, null, null);
            Files.writeString(taskPipe, Json.MAPPER.writeValueAsString(task));
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(attempt.resolve("stderr.log"))).isZero();
        } finally {
            p.destroyForcibly();
        }

        List<ProgressEvent> all = ProgressLines.events(progress);
        List<String> phases = new ArrayList<>();
        for (ProgressEvent e : all) {
            if (e.phase() != null && (phases.isEmpty() || !phases.get(phases.size() - 1).equals(e.phase()))) {
                phases.add(e.phase());
            }
        }
        assertThat(phases).containsExactly(ProgressEvent.PHASE_STARTING, ProgressEvent.PHASE_LOADING_DATA,
                ProgressEvent.PHASE_BUILDING, ProgressEvent.PHASE_FIRST_STEP, ProgressEvent.PHASE_TRAINING,
                ProgressEvent.PHASE_SAVING);
        // phase lines carry no figures, and the epoch lines come after "training" and before "saving"
        int training = indexOf(all, ProgressEvent.PHASE_TRAINING);
        int saving = indexOf(all, ProgressEvent.PHASE_SAVING);
        List<ProgressEvent> epochs = all.stream().filter(ProgressEvent::endOfEpoch).toList();
        assertThat(epochs).extracting(ProgressEvent::epoch).containsExactly(1, 2);
        assertThat(epochs).allMatch(e -> all.indexOf(e) > training && all.indexOf(e) < saving);
        assertThat(all.stream().filter(e -> e.phase() != null))
                .allMatch(e -> e.loss() == null && e.valLoss() == null && e.batch() == null);
        assertThat(all.get(training).epoch()).isEqualTo(1);
    }

    private static int indexOf(List<ProgressEvent> events, String phase) {
        for (int i = 0; i < events.size(); i++) {
            if (phase.equals(events.get(i).phase())) {
                return i;
            }
        }
        throw new AssertionError("no " + phase + " line in " + events);
    }

    private static List<ProgressEvent> await(Path file, Predicate<List<ProgressEvent>> done, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<ProgressEvent> lines = ProgressLines.events(file);
                if (done.test(lines)) {
                    return lines;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("progress file " + file + " did not fill in " + seconds + " s: "
                + (Files.exists(file) ? Files.readString(file) : "absent"));
    }

}
