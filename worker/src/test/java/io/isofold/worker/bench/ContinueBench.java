package io.isofold.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import io.isofold.worker.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What scripts/bench-continue.sh runs (test sources: none of it is in the worker jar).
 *
 * <p>Part 1, training time lost per kill: the built-in cnn (its defaults, fold 0 of 5 of the bundled data)
 * is killed at seeded-random moments of its training, by SIGKILL and by SIGTERM, each way with continuing
 * (each attempt gets the replicate's checkpoint directory) and without (an empty one each time, as every
 * retry was before). A kill's loss is the training clock the killed attempt had reached minus what the next
 * attempt restored (the {@code restored_seconds} of its {@code continued} line; 0 when it starts over). The
 * killed attempt's clock is what it restored plus the time since its training began, which is when its
 * {@code building} line appeared (watched every 2 ms; the JVM's own start time is not known precisely enough).
 * Part of a loss is the killed attempt's start-up (building the graph, the session, the first step: from its
 * {@code building} line to its {@code training} line), which every attempt pays, continuing or not; when it
 * saved no checkpoint before the kill, that start-up is lost with it. The rest, the training lost, is also
 * printed: what the kill cost beyond the start-up.
 *
 * <p>Part 2, a kill storm: a tiny mlp that checkpoints after every batch, SIGKILLed N times at seeded moments
 * between its saves, then run to the end; every continuation must have loaded a whole checkpoint at least as
 * far as the one before, and the end must equal the uninterrupted training to 1e-6.
 *
 * <p>usage: ContinueBench WORKER_JAR WORK_DIR KILLS MAX_DELAY_S STORM_KILLS SEED
 */
public final class ContinueBench {
    private static final double EXACT = 1e-6;

    private final Path jar;
    private final Path work;
    private int attempts;

    private ContinueBench(Path jar, Path work) {
        this.jar = jar;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        ContinueBench bench = new ContinueBench(Path.of(args[0]).toAbsolutePath(), Path.of(args[1]).toAbsolutePath());
        int kills = Integer.parseInt(args[2]);
        double maxDelay = Double.parseDouble(args[3]);
        int stormKills = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        if (kills > 0) {
            bench.lostPerKill(kills, maxDelay, seed);
        }
        if (stormKills > 0) {
            bench.storm(stormKills, seed);
        }
    }

    // ---------------------------------------------------------------- part 1

    private void lostPerKill(int kills, double maxDelay, long seed) throws Exception {
        Path data = work.resolve("cnn-data");
        Files.createDirectories(data);
        TestData.writeIdx(TestData.bundled(), data, "train", true);
        ModelConfig cnn = ModelConfig.defaults("cnn");
        System.out.printf(Locale.ROOT, "part 1: built-in cnn (%d epochs at most, patience %d), 8,000 training images,"
                + " TensorFlow's default threads; %d kills per case at a seeded-random moment 0 to %.0f s into an"
                + " attempt's training (seed %d)%n", cnn.epochs(), cnn.patience(), kills, maxDelay, seed);
        System.out.println("case               kill  delay_s  clock_at_kill_s  restored_by_next_s  lost_s  training_lost_s"
                + "  startup_s  exit_after_signal_s");
        List<Double> epochSeconds = new ArrayList<>();
        Map<String, List<double[]>> cases = new java.util.LinkedHashMap<>();
        for (boolean term : new boolean[] {false, true}) {
            Random moments = new Random(seed);
            double[] delays = new double[kills];
            for (int i = 0; i < kills; i++) {
                delays[i] = moments.nextDouble() * maxDelay;
            }
            for (boolean continuing : new boolean[] {true, false}) {
                String name = (term ? "SIGTERM" : "SIGKILL") + (continuing ? " continue" : " restart ");
                cases.put(name, chain(name, cnn, data, delays, term, continuing, epochSeconds));
            }
        }
        double epoch = median(epochSeconds);
        System.out.printf(Locale.ROOT, "%nmedian epoch (training + validation): %.2f s%n", epoch);
        System.out.println("case               kills  lost per kill: median   max     training lost, in epochs: median  max"
                + "   start-up: median   exit after signal: median  max");
        cases.forEach((name, rows) -> {
            List<Double> lost = column(rows, 0);
            List<Double> training = column(rows, 1);
            List<Double> exits = column(rows, 3).stream().filter(x -> x >= 0).toList();
            System.out.printf(Locale.ROOT, "%-18s %5d  %19.2f s %6.2f s  %30.2f %5.2f  %15.2f s   %s%n", name,
                    rows.size(), median(lost), max(lost), median(training) / epoch, max(training) / epoch,
                    median(column(rows, 2)), exits.isEmpty() ? "" : String.format(Locale.ROOT, "%22.2f s %5.2f s",
                            median(exits), max(exits)));
        });
    }

    /**
     * Kills attempts of one replicate at the given delays into their training; returns {lost, training lost,
     * start-up, exit after signal (-1 for SIGKILL)} per kill. With {@code continuing}, attempts share a checkpoint directory (a new
     * one when a training ends before its kill); without, each gets an empty one.
     */
    private List<double[]> chain(String name, ModelConfig cnn, Path data, double[] delays, boolean term,
                                 boolean continuing, List<Double> epochSeconds) throws Exception {
        List<double[]> rows = new ArrayList<>();
        Path checkpoints = newDir("checkpoints");
        Running current = start(cnn, data, 0, checkpoints, null, Map.of());
        for (int i = 0; i < delays.length; ) {
            current.awaitTrainingStart();
            current.awaitOrExit(lines -> lines.stream().anyMatch(e -> ProgressEvent.PHASE_TRAINING.equals(e.phase())));
            if (current.stepsStart == 0) {
                current.stepsStart = System.nanoTime();
            }
            long deadline = System.nanoTime() + (long) ((delays[i]) * 1e9);
            while (System.nanoTime() < deadline && current.process.isAlive()) {
                Thread.sleep(5);
            }
            if (!current.process.isAlive()) { // the training ended first: start another, same delay
                epochSeconds.addAll(current.epochSeconds());
                checkpoints = newDir("checkpoints");
                current = start(cnn, data, 0, checkpoints, null, Map.of());
                continue;
            }
            long signalled = System.nanoTime();
            if (term) {
                current.process.destroy();
            } else {
                current.process.destroyForcibly();
            }
            current.process.waitFor();
            double exit = term ? (System.nanoTime() - signalled) / 1e9 : -1;
            double clock = current.restored() + (signalled - current.trainingStart) / 1e9;
            epochSeconds.addAll(current.epochSeconds());
            if (!continuing) {
                checkpoints = newDir("checkpoints");
            }
            Running next = start(cnn, data, 0, checkpoints, null, Map.of());
            next.awaitTrainingStart();
            next.await(lines -> lines.stream().anyMatch(e -> ProgressEvent.PHASE_TRAINING.equals(e.phase())
                    || ProgressEvent.PHASE_CONTINUED.equals(e.phase())));
            double restored = next.restored();
            double lost = clock - restored;
            // beyond the start-up: what was trained and not saved (all of it is saved after a SIGTERM)
            double training = Math.min(lost, (signalled - current.stepsStart) / 1e9);
            double startup = (current.stepsStart - current.trainingStart) / 1e9;
            rows.add(new double[] {lost, training, startup, exit});
            System.out.printf(Locale.ROOT, "%-18s %4d  %7.2f  %15.2f  %18.2f  %6.2f  %15.2f  %9.2f  %s%n", name, i + 1,
                    delays[i], clock, restored, lost, training, startup,
                    term ? String.format(Locale.ROOT, "%.2f", exit) : "");
            current = next;
            i++;
        }
        current.process.destroyForcibly();
        current.process.waitFor();
        return rows;
    }

    // ---------------------------------------------------------------- part 2

    private void storm(int kills, long seed) throws Exception {
        Path data = work.resolve("mlp-data");
        Files.createDirectories(data);
        TestData.writeIdx(TestData.bundledSlice(40), data, "train", true);
        ModelConfig mlp = new ModelConfig("tiny", "mlp", 20, 8, 2e-3, 4, List.of(), List.of(32), 0.3);
        int batches = 40;
        Map<String, String> oneThread = Map.of(WorkerEnv.THREADS, "1");
        long t0 = System.nanoTime();
        Running reference = start(mlp, data, 23, null, null, oneThread);
        require(reference.finish() == 0, "the uninterrupted training failed: " + reference.stderr());

        Path checkpoints = newDir("storm-checkpoints");
        Random moments = new Random(seed);
        long lastStep = 0;
        int midWrite = 0;
        int continuations = 0;
        for (int kill = 1; kill <= kills; kill++) {
            int saves = 1 + moments.nextInt(4);
            int extraMillis = moments.nextInt(15);
            boolean hadCheckpoint = !checkpointFiles(checkpoints).isEmpty();
            Running a = start(mlp, data, 23, checkpoints, 0L, oneThread);
            a.await(lines -> lines.stream().anyMatch(e -> ProgressEvent.PHASE_TRAINING.equals(e.phase())));
            long base = highestCheckpoint(checkpoints);
            while (highestCheckpoint(checkpoints) < base + saves && a.process.isAlive()) {
                Thread.sleep(1);
            }
            Thread.sleep(extraMillis);
            require(a.process.isAlive(), "the training ended before kill " + kill);
            a.process.destroyForcibly();
            a.process.waitFor();
            try (Stream<Path> files = Files.list(checkpoints)) {
                midWrite += files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")) ? 1 : 0;
            }
            require(!a.stderr().contains("not used"), "kill " + kill + " met a checkpoint it refused: " + a.stderr());
            ProgressEvent continued = a.continued();
            require((continued != null) == hadCheckpoint, "kill " + kill + ": continued iff there was a checkpoint");
            if (continued != null) {
                continuations++;
                long step = (long) continued.epoch() * batches + continued.batch();
                require(step >= lastStep, "kill " + kill + " went back from step " + lastStep + " to " + step);
                lastStep = step;
            }
        }
        Running last = start(mlp, data, 23, checkpoints, null, oneThread);
        require(last.finish() == 0, "the last attempt failed: " + last.stderr());
        require(!last.stderr().contains("not used"), "the last attempt refused a checkpoint");
        require(checkpointFiles(checkpoints).size() <= 2, "more than two checkpoints kept");
        JsonNode expected = reference.result();
        JsonNode actual = last.result();
        double worst = 0;
        for (String metric : List.of("val_loss", "val_accuracy", "train_loss", "train_accuracy", "best_epoch", "epochs_run")) {
            worst = Math.max(worst, Math.abs(actual.path("metrics").path(metric).asDouble()
                    - expected.path("metrics").path(metric).asDouble()));
        }
        require(worst <= EXACT, "the stormed training ended elsewhere: " + actual.path("metrics") + " against "
                + expected.path("metrics"));
        System.out.printf(Locale.ROOT, "%npart 2: kill storm, tiny mlp (320 images, 40 batches an epoch, a checkpoint after every"
                + " batch, 1 thread), seed %d: %d SIGKILLs, %d of them during a checkpoint write (a temp file left),"
                + " %d continuations, none from a refused checkpoint, steps never going back; the last attempt"
                + " continued at step %d and ended as the uninterrupted training (largest metric difference %.1e);"
                + " %.0f s in all%n", seed, kills, midWrite, continuations,
                (long) last.continued().epoch() * batches + last.continued().batch(), worst,
                (System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------- attempts

    private Path newDir(String prefix) throws IOException {
        return Files.createDirectories(work.resolve(prefix + "-" + (++attempts)));
    }

    private Running start(ModelConfig c, Path data, long seed, Path checkpoints, Long every, Map<String, String> extra)
            throws IOException {
        Path dir = newDir("attempt");
        Task task = new Task(0, 0, c.name(), c, 0, 5, 0, 17, seed, 1, "cpu", data.toString(), false, dir.toString(),
                dir.resolve("progress.jsonl").toString(), dir.resolve("result.json").toString(),
                checkpoints == null ? null : checkpoints.toString(), every);
        Files.writeString(dir.resolve("task.json"), Json.MAPPER.writeValueAsString(task));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        Map<String, String> env = pb.environment();
        env.put(WorkerEnv.TASK, dir.resolve("task.json").toString());
        env.put(WorkerEnv.SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
        env.put(WorkerEnv.CUDA_VISIBLE_DEVICES, "");
        env.putAll(extra);
        return new Running(pb.start(), dir);
    }

    private static final class Running {
        final Process process;
        final Path dir;
        /** When this attempt's training clock started (its {@code building} line appeared), by System.nanoTime. */
        long trainingStart;
        /** When its training steps began (its {@code training} line appeared), by System.nanoTime. */
        long stepsStart;

        Running(Process process, Path dir) {
            this.process = process;
            this.dir = dir;
        }

        /** Waits for the {@code building} line, and notes when it came; at once if the worker has exited. */
        void awaitTrainingStart() throws Exception {
            if (trainingStart != 0) {
                return;
            }
            awaitOrExit(lines -> lines.stream().anyMatch(e -> ProgressEvent.PHASE_BUILDING.equals(e.phase())));
            trainingStart = System.nanoTime();
        }

        int finish() throws Exception {
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("a worker ran for 30 minutes");
            }
            return process.exitValue();
        }

        String stderr() throws IOException {
            return Files.readString(dir.resolve("stderr.log"));
        }

        JsonNode result() throws IOException {
            return Json.MAPPER.readTree(dir.resolve("result.json").toFile());
        }

        List<ProgressEvent> lines() throws IOException {
            return io.isofold.worker.ProgressLines.events(dir.resolve("progress.jsonl"));
        }

        ProgressEvent continued() throws IOException {
            return lines().stream().filter(e -> ProgressEvent.PHASE_CONTINUED.equals(e.phase())).findFirst().orElse(null);
        }

        /** The seconds of training this attempt took up from a checkpoint; 0 when it started over. */
        double restored() throws IOException {
            ProgressEvent c = continued();
            return c == null ? 0 : c.restoredSeconds();
        }

        /** The durations of this attempt's whole epochs (training and validation), from its epoch lines. */
        List<Double> epochSeconds() throws IOException {
            List<Double> ends = lines().stream().filter(ProgressEvent::endOfEpoch).map(ProgressEvent::seconds).toList();
            List<Double> out = new ArrayList<>();
            for (int i = 1; i < ends.size(); i++) {
                out.add(ends.get(i) - ends.get(i - 1));
            }
            return out;
        }

        /** Waits for {@code done}, or for the worker to exit (a continuation that had nothing left to train). */
        void awaitOrExit(Predicate<List<ProgressEvent>> done) throws Exception {
            while (!done.test(lines()) && process.isAlive()) {
                Thread.sleep(2);
            }
        }

        void await(Predicate<List<ProgressEvent>> done) throws Exception {
            while (!done.test(lines())) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("a worker exited (" + process.exitValue() + ") first: " + stderr());
                }
                Thread.sleep(2);
            }
        }
    }

    private static List<Path> checkpointFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+\\.bin")).toList();
        }
    }

    private static long highestCheckpoint(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("checkpoint-\\d+\\.bin(\\.tmp)?"))
                    .mapToLong(n -> Long.parseLong(n.replaceAll("\\D", ""))).max().orElse(0);
        }
    }

    private static List<Double> column(List<double[]> rows, int i) {
        return rows.stream().map(r -> r[i]).toList();
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void require(boolean ok, String failure) {
        if (!ok) {
            throw new IllegalStateException(failure);
        }
    }
}
