package io.isofold.worker;

import io.isofold.shared.Json;
import io.isofold.shared.StratifiedFolds;
import io.isofold.shared.WorkerEnv;
import io.isofold.shared.WorkerResult;
import io.isofold.worker.data.Dataset;
import io.isofold.worker.data.DatasetReader;
import io.isofold.worker.train.ProgressWriter;
import io.isofold.worker.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The built-in worker: trains one fold of one task in this fresh JVM and writes the result.
 *
 * <p>Exit status: 0 done (result written); 1 unexpected failure (stack trace on stderr; the supervisor
 * retries); 2 bad task (one line on stderr; not retried); 3 the supervisor or parent died.
 */
public final class WorkerMain {
    /** Heartbeat lines within an epoch: often enough for any sensible stall timeout, rare enough to be cheap. */
    static final long HEARTBEAT_MILLIS = 5_000;

    private WorkerMain() {}

    public static void main(String[] args) {
        int status;
        try {
            ParentWatch.start(System.getenv());
            run(args, System.getenv());
            status = 0;
        } catch (BadTaskException e) {
            System.err.println("isofold-worker: bad task: " + e.getMessage());
            status = WorkerEnv.EXIT_BAD_TASK;
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.err.flush();
        // TensorFlow's native threads must not keep a finished worker alive
        System.exit(status);
    }

    static void run(String[] args, Map<String, String> env) {
        ResolvedTask rt = ResolvedTask.load(args, env);
        var task = rt.task();
        Dataset all = DatasetReader.read(rt.data());
        int[] fold;
        try {
            fold = StratifiedFolds.assign(all.labels(), task.folds(), task.shuffleSeed());
        } catch (IllegalArgumentException e) {
            throw new BadTaskException(rt.data() + ": " + e.getMessage());
        }
        Dataset train = all.select(Dataset.where(fold, task.fold(), false));
        Dataset validation = all.select(Dataset.where(fold, task.fold(), true));
        all = null; // the full set is no longer needed; let a large one be collected
        if (validation.size() == 0 || train.size() == 0) {
            throw new BadTaskException("fold " + task.fold() + " of " + task.folds() + " leaves an empty set");
        }
        createDirectories(rt.attemptDir());
        WorkerResult result;
        try (ProgressWriter progress = new ProgressWriter(rt.progressFile(), HEARTBEAT_MILLIS)) {
            Trainer.Settings settings = new Trainer.Settings(rt.config(), task.seed(), rt.threads(), rt.attemptDir(),
                    task.saveModel());
            result = new Trainer(settings, progress).train(train, validation);
        }
        writeAtomically(rt.resultFile(), result);
    }

    /** Temp file and rename: the supervisor never sees half a result, even if this JVM is killed mid-write. */
    static void writeAtomically(Path file, Object value) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write result " + file, e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
