package io.isofold.worker;

import io.isofold.shared.AtomicFiles;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.StratifiedFolds;
import io.isofold.shared.WorkerEnv;
import io.isofold.shared.WorkerResult;
import io.isofold.worker.data.Dataset;
import io.isofold.worker.data.DatasetReader;
import io.isofold.shared.CudaLibraries;
import io.isofold.worker.device.DeviceReport;
import io.isofold.worker.device.NativeLoading;
import io.isofold.worker.train.ProgressWriter;
import io.isofold.worker.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The built-in worker: trains one fold of one task in this fresh JVM and writes the result.
 *
 * <p>Exit status: 0 done (result written); 1 unexpected failure (stack trace on stderr; the supervisor
 * retries); 2 bad task (one line on stderr; not retried); 3 the supervisor or parent died; 143 (130) SIGTERM
 * (SIGINT). A training with a checkpoint directory saves a checkpoint at its next batch boundary before it
 * exits 3, 143 or 130 ({@link StopRequest}).
 */
public final class WorkerMain {
    /** Heartbeat lines within an epoch: often enough for any sensible stall timeout, rare enough to be cheap. */
    static final long HEARTBEAT_MILLIS = 5_000;

    private WorkerMain() {}

    public static void main(String[] args) {
        NativeLoading.skipStaleCudaPreloads();
        if (args.length == 1 && args[0].equals("--list-devices")) {
            System.exit(listDevices(System.getenv()));
        }
        int status;
        try {
            Map<String, String> env = System.getenv();
            StopRequest stop = new StopRequest();
            stop.handleSignals();
            ParentWatch.start(env, stop);
            String standby = env.get(WorkerEnv.STANDBY);
            if (standby != null && !standby.isBlank()) {
                Standby prepared = Standby.prepare(args, env);
                env = prepared.awaitTask(env);
                run(args, env, prepared, System.currentTimeMillis(), stop);
            } else {
                run(args, env, null, ManagementFactory.getRuntimeMXBean().getStartTime(), stop);
            }
            status = 0;
        } catch (StopRequest.Stopped e) {
            System.err.println("isofold-worker: " + e.getMessage() + "; exiting");
            status = e.status();
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

    /** {@code --list-devices}: one JSON line on stdout (see {@link DeviceReport}); 0, or 1 if TF cannot start. */
    static int listDevices(Map<String, String> env) {
        try {
            System.out.println(Json.MAPPER.writeValueAsString(DeviceReport.of(env)));
            System.out.flush();
            return 0;
        } catch (Throwable t) {
            t.printStackTrace();
            return 1;
        }
    }

    static void run(String[] args, Map<String, String> env) {
        run(args, env, null, ManagementFactory.getRuntimeMXBean().getStartTime(), new StopRequest());
    }

    /**
     * @param standby     what a standby prepared ahead, or null
     * @param originMillis when the attempt began, which progress lines count from: the JVM's start, or a
     *                    standby's handoff
     * @param stop         the requests to stop this process gets
     */
    static void run(String[] args, Map<String, String> env, Standby standby, long originMillis, StopRequest stop) {
        // the first line before the task is parsed, in the file the supervisor named: reading JSON is the
        // slowest part of a worker's first second
        String named = env.get(WorkerEnv.PROGRESS);
        ProgressWriter progress = null;
        try {
            if (named != null && !named.isBlank()) {
                progress = new ProgressWriter(Path.of(named), HEARTBEAT_MILLIS, originMillis);
                progress.phase(ProgressEvent.PHASE_STARTING);
            }
            ResolvedTask rt = ResolvedTask.load(args, env);
            if (progress == null || !sameFile(progress.file(), rt.progressFile())) {
                // the task names another progress file than the environment: that one wins, as for every path
                if (progress != null) {
                    progress.close();
                }
                progress = new ProgressWriter(rt.progressFile(), HEARTBEAT_MILLIS, originMillis);
                progress.phase(ProgressEvent.PHASE_STARTING);
            }
            run(rt, env, progress, standby, stop);
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static void run(ResolvedTask rt, Map<String, String> env, ProgressWriter progress, Standby standby,
                            StopRequest stop) {
        // on a GPU slot, name the CUDA libraries the loader will not find before TF quietly falls back to the CPU
        List<String> cudaMissing = null;
        if (CudaLibraries.gpuSlot(env)) {
            cudaMissing = CudaLibraries.forEnvironment(env).missing();
            if (!cudaMissing.isEmpty()) {
                System.err.println("isofold-worker: GPU slot (CUDA_VISIBLE_DEVICES=" + env.get("CUDA_VISIBLE_DEVICES")
                        + ") but the loader finds no " + String.join(", ", cudaMissing)
                        + ": TensorFlow will compute on the CPU");
            }
        }
        var task = rt.task();
        progress.phase(ProgressEvent.PHASE_LOADING_DATA);
        Dataset all = standby == null ? null : standby.data(rt.data());
        if (all == null) {
            all = DatasetReader.read(rt.data());
        }
        int[] fold = standby == null ? null : standby.folds(all, task.folds(), task.splitSeed());
        if (fold == null) {
            try {
                fold = StratifiedFolds.assign(all.labels(), task.folds(), task.splitSeed());
            } catch (IllegalArgumentException e) {
                throw new BadTaskException(rt.data() + ": " + e.getMessage());
            }
        }
        Dataset[] split = standby == null ? null : standby.split(fold, task.fold());
        Dataset train = split != null ? split[0] : all.select(Dataset.where(fold, task.fold(), false));
        Dataset validation = split != null ? split[1] : all.select(Dataset.where(fold, task.fold(), true));
        all = null; // the full set is no longer needed; let a large one be collected
        if (standby != null) {
            standby.forget();
        }
        if (validation.size() == 0 || train.size() == 0) {
            throw new BadTaskException("fold " + task.fold() + " of " + task.folds() + " leaves an empty set");
        }
        createDirectories(rt.attemptDir());
        Trainer.Checkpoints checkpoints = rt.checkpointDir() == null ? null : new Trainer.Checkpoints(
                rt.checkpointDir(), task.checkpointEvery(), task.fold(), task.folds(), task.splitSeed());
        Trainer.Settings settings = new Trainer.Settings(rt.config(), task.seed(), rt.threads(), rt.attemptDir(),
                task.saveModel(), checkpoints);
        WorkerResult result = new Trainer(settings, progress, stop).train(train, validation,
                standby == null ? null : standby.takeGraph());
        writeAtomically(rt.resultFile(), result.withCudaMissing(cudaMissing));
    }

    /** The supervisor never sees half a result, even if this JVM is killed mid-write. */
    static void writeAtomically(Path file, Object value) {
        try {
            AtomicFiles.writeJson(file, value);
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
