package io.isofold.worker.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.WorkerResult;
import io.isofold.worker.StopRequest;
import io.isofold.worker.data.Dataset;
import io.isofold.worker.device.DeviceProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains one model on one fold: epochs of shuffled mini-batches, evaluation on the validation set after
 * each, early stopping on the validation loss, and the best epoch's weights restored at the end.
 *
 * <p>Given a checkpoint directory, it continues from the newest checkpoint there that verifies and was made
 * for this very training, and saves one at the end of every epoch, every {@code everySeconds} of training
 * within an epoch, and at the first batch boundary after a {@link StopRequest}. A continued training ends as
 * the uninterrupted one would have: the batch order and the dropout masks follow from the seed and the
 * step's number, and the checkpoint holds the rest.
 */
public final class Trainer {
    /** Evaluation batches are larger than training ones: no gradients, so memory allows it. */
    private static final int EVAL_BATCH = 500;
    /** How long a worker waits for an earlier one of the same replicate to finish saving in the checkpoint directory. */
    private static final Duration CHECKPOINT_LOCK_WAIT = Duration.ofSeconds(60);

    /** Which way each metric of the result is better. */
    static final Map<String, String> DIRECTIONS = directions();

    /**
     * @param threads     TensorFlow intra- and inter-op threads, or null for TensorFlow's default
     * @param attemptDir  where {@code model/} and {@code tensorboard/} go
     * @param checkpoints where and how often to checkpoint, or null for a training without checkpoints
     */
    public record Settings(ModelConfig config, long seed, Integer threads, Path attemptDir, boolean saveModel,
                           Checkpoints checkpoints) {
        public Settings(ModelConfig config, long seed, Integer threads, Path attemptDir, boolean saveModel) {
            this(config, seed, threads, attemptDir, saveModel, null);
        }
    }

    /**
     * @param dir          the replicate's checkpoint directory
     * @param everySeconds seconds of training between checkpoints within an epoch (0: after every batch), or null
     *                     for checkpoints at the end of each epoch only
     * @param fold         the fold, folds and split seed of the data: a checkpoint made for others is refused
     */
    public record Checkpoints(Path dir, Long everySeconds, int fold, int folds, long splitSeed) {}

    private final Settings settings;
    private final ProgressWriter progress;
    private final StopRequest stop;
    private long start;
    /** Seconds of training a checkpoint brought in: this training's clock starts there. */
    private double restoredSeconds;
    /** The device TensorFlow computed on, found by tracing the first training step. */
    private String device;
    private List<String> tfDevices = List.of();
    private double stepSeconds;
    private long stepExamples;
    private double maxRss;

    private final List<ProgressEvent> history = new ArrayList<>();
    private EarlyStopping stopping;
    private float[][] bestWeights;

    private CheckpointStore store;
    private JsonNode identity;
    /** Whether the training loop saves and stops at a {@link StopRequest}. */
    private boolean honouring;
    /** The training step the last checkpoint saved or loaded was taken after; -1 for none. */
    private long savedStep = -1;
    private long lastSave;
    private WorkerResult.ContinuedFrom continuedFrom;
    private String restoredDevice;
    private List<String> restoredTfDevices = List.of();

    /** A Trainer trains once: it keeps the figures of its one run. */
    public Trainer(Settings settings, ProgressWriter progress) {
        this(settings, progress, new StopRequest());
    }

    /** @param stop the requests to stop (SIGTERM, a dead supervisor) this training honours when it checkpoints */
    public Trainer(Settings settings, ProgressWriter progress, StopRequest stop) {
        this.settings = settings;
        this.progress = progress;
        this.stop = stop;
    }

    public WorkerResult train(Dataset train, Dataset val) {
        return train(train, val, null);
    }

    /**
     * @param ahead a graph built ahead (by a standby worker), used when it is the one this training would
     *              build, and closed either way; or null
     * @throws StopRequest.Stopped when a stop request ended the training after it saved a checkpoint
     */
    public WorkerResult train(Dataset train, Dataset val, TrainingGraph ahead) {
        start = System.nanoTime();
        ModelConfig c = settings.config();
        progress.phase(ProgressEvent.PHASE_BUILDING);
        TrainingGraph.Plan plan = plan(c, train, val, settings.seed());
        TrainingGraph built = null;
        if (ahead != null && ahead.builtFor(plan)) {
            built = ahead;
            log("using the graph built ahead of the task");
        } else if (ahead != null) {
            ahead.close();
        }
        try (TrainingGraph g = built != null ? built : new TrainingGraph(c, plan.height(), plan.width(),
                     plan.channels(), plan.classes(), plan.seed());
             Session session = new Session(g.graph, sessionConfig());
             TensorBoardWriter board = new TensorBoardWriter(settings.attemptDir().resolve("tensorboard"))) {
            // the initializers are the first ops to run on the device: on a GPU, where kernels may be compiled
            progress.phase(ProgressEvent.PHASE_FIRST_STEP);
            session.initialize();
            Batches batches = new Batches(train, c.batchSize(), new Random(settings.seed()));
            stopping = new EarlyStopping(c.patience());
            log("training %s on %d images, validating on %d; %d parameters; %s", c.name(), train.size(),
                    val.size(), g.parameterCount(), g.variableNames());
            try (CheckpointStore opened = settings.checkpoints() == null ? null
                    : CheckpointStore.open(settings.checkpoints().dir(), CHECKPOINT_LOCK_WAIT,
                    line -> System.err.println("isofold-worker: " + line))) {
                store = opened;
                EpochSums sums = new EpochSums();
                int epochsDone = 0;
                int batchesDone = 0;
                if (store != null) {
                    identity = identity(g, plan, train, val);
                    int[] lengths = g.state.stream().mapToInt(v -> (int) v.shape().size()).toArray();
                    int weights = g.network.variables().size();
                    CheckpointStore.Loaded loaded = store.load(ck -> ck.problem(identity, lengths, weights));
                    if (loaded != null) {
                        continueFrom(loaded, session, g, batches, sums);
                        epochsDone = loaded.checkpoint().meta().epochs();
                        batchesDone = loaded.checkpoint().meta().batch();
                    }
                }
                trainEpochs(session, g, batches, val, board, epochsDone, batchesDone, sums);
            }
            if (bestWeights == null) {
                throw new IllegalStateException("no epoch gave a finite validation loss");
            }
            int bestEpoch = stopping.bestEpoch();
            if (bestEpoch != history.size()) {
                restore(session, g, bestWeights);
            }
            String saved = null;
            if (settings.saveModel()) {
                progress.phase(ProgressEvent.PHASE_SAVING);
                Path dir = settings.attemptDir().resolve("model");
                ModelExporter.export(g, session, dir);
                saved = dir.toAbsolutePath().toString();
            }
            if (device == null) { // this attempt trained no step: the checkpoint's training did them all
                device = restoredDevice;
                tfDevices = restoredTfDevices;
            }
            return new WorkerResult(metrics(history, bestEpoch), List.copyOf(history), device, g.parameterCount(),
                    g.variableNames(), saved, train.size(), val.size(), tfDevices, null, continuedFrom, DIRECTIONS);
        }
    }

    /**
     * The epochs from where the training stands ({@code epochsDone} whole epochs and {@code batchesDone} batches of
     * the next) to the last, or to early stopping.
     */
    private void trainEpochs(Session session, TrainingGraph g, Batches batches, Dataset val, TensorBoardWriter board,
                             int epochsDone, int batchesDone, EpochSums sums) {
        ModelConfig c = settings.config();
        int count = batches.count();
        boolean done = batchesDone == 0 && (epochsDone >= c.epochs() || stopping.shouldStop());
        if (store != null) {
            if (!stop.honour()) {
                throw stopped(stop.pending(), count);
            }
            honouring = true;
        }
        lastSave = System.nanoTime();
        StopRequest.Pending late = null;
        try {
            for (int epoch = epochsDone + 1; !done; epoch++) {
                progress.epoch(epoch);
                if (batchesDone == 0) {
                    batches.shuffle();
                }
                trainEpoch(session, g, batches, epoch, batchesDone, sums);
                batchesDone = 0;
                double[] v = evaluate(session, g, val, epoch, count, sums);
                ProgressEvent event = new ProgressEvent(epoch, null, null, sums.loss(), sums.accuracy(), v[0], v[1],
                        seconds());
                history.add(event);
                boolean improved = stopping.update(epoch, v[0]);
                if (improved) {
                    bestWeights = snapshot(session, g);
                }
                boolean early = !improved && stopping.shouldStop();
                done = early || epoch >= c.epochs();
                sums = new EpochSums();
                // before the epoch's line: once a reader sees epoch E, a checkpoint of epoch E is on disk
                checkpoint(session, g, epoch, 0, count, sums);
                stop.step((long) epoch * count);
                record(event, board);
                if (early) {
                    log("early stop: val_loss has not improved for %d epochs since epoch %d",
                            epoch - stopping.bestEpoch(), stopping.bestEpoch());
                }
                StopRequest.Pending p = honouring ? stop.pending() : null;
                if (p != null) {
                    throw stopped(p, count);
                }
            }
        } finally {
            if (honouring) {
                late = stop.release();
                honouring = false;
            }
        }
        if (late != null) {
            throw stopped(late, count); // after the last epoch, whose checkpoint is saved
        }
    }

    /** What the graph for {@code train} and {@code val} is built from. */
    public static TrainingGraph.Plan plan(ModelConfig c, Dataset train, Dataset val, long seed) {
        return new TrainingGraph.Plan(c, train.height(), train.width(), train.channels(),
                Math.max(train.classes(), val.classes()), seed);
    }

    /**
     * Batches {@code from} to the last of the shuffled training set, adding their loss and accuracy (with dropout,
     * as Keras reports them) to {@code sums}.
     */
    private void trainEpoch(Session session, TrainingGraph g, Batches batches, int epoch, int from, EpochSums sums) {
        int count = batches.count();
        for (int b = from; b < count; b++) {
            long step = (long) (epoch - 1) * count + b;
            stop.step(step);
            long t0 = System.nanoTime();
            try (TFloat32 x = batches.images(b); TInt32 y = batches.labels(b); TInt64 n = TInt64.scalarOf(step)) {
                Session.Runner runner = session.runner().feed(g.images, x).feed(g.labels, y).feed(g.step, n)
                        .addTarget(g.trainStep).fetch(g.trainLoss).fetch(g.trainCorrect);
                boolean trace = device == null;
                if (trace) {
                    runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
                }
                try (Result r = trace ? runner.runAndFetchMetadata() : runner.run()) {
                    int size = batches.size(b);
                    sums.add(((TFloat32) r.get(0)).getFloat() * size, ((TFloat32) r.get(1)).getFloat(), size);
                    if (trace) {
                        tfDevices = r.getMetadata().map(DeviceProbe::devices).orElse(List.of());
                        device = DeviceProbe.describe(tfDevices);
                        log("computing on %s %s", device, tfDevices);
                        progress.phase(ProgressEvent.PHASE_TRAINING);
                    }
                }
            }
            stop.step(step + 1);
            stepSeconds += (System.nanoTime() - t0) / 1e9;
            stepExamples += batches.size(b);
            if (progress.heartbeatDue() && b + 1 < count) {
                progress.write(new ProgressEvent(epoch, b + 1, count, sums.loss(), sums.accuracy(), null, null,
                        seconds()));
            }
            if (honouring) {
                StopRequest.Pending p = stop.pending();
                if (p != null) {
                    checkpoint(session, g, epoch - 1, b + 1, count, sums);
                    throw stopped(p, count);
                }
                Long every = settings.checkpoints().everySeconds();
                if (every != null && b + 1 < count && System.nanoTime() - lastSave >= every * 1_000_000_000L) {
                    checkpoint(session, g, epoch - 1, b + 1, count, sums);
                }
            }
        }
        if (!Double.isFinite(sums.lossSum)) {
            throw new IllegalStateException("training diverged: loss " + sums.loss() + " in epoch " + epoch);
        }
    }

    /** Mean loss and accuracy over the whole set, without dropout; a stop request is honoured between its batches. */
    private double[] evaluate(Session session, TrainingGraph g, Dataset data, int epoch, int count, EpochSums sums) {
        return evaluate(session, g, data, () -> {
            StopRequest.Pending p = honouring ? stop.pending() : null;
            if (p != null) {
                // every batch of the epoch is done: the continuation evaluates it
                checkpoint(session, g, epoch - 1, count, count, sums);
                throw stopped(p, count);
            }
        });
    }

    /**
     * Saves a checkpoint after {@code epochs} whole epochs and {@code batch} batches of the next, unless there is
     * no store, the training stands where the last one was taken, or its sums have diverged (a checkpoint that
     * would only diverge again).
     */
    private void checkpoint(Session session, TrainingGraph g, int epochs, int batch, int count, EpochSums sums) {
        long step = (long) epochs * count + batch;
        if (store == null || step == savedStep || !Double.isFinite(sums.lossSum)) {
            return;
        }
        // saved at the end of the best epoch, the best weights are the state's own: not stored twice
        boolean bestIsState = stopping.bestEpoch() == epochs && batch == 0;
        float[][] best = bestIsState || bestWeights == null ? new float[0][] : bestWeights;
        Checkpoint.Meta meta = new Checkpoint.Meta(identity, epochs, batch, count, seconds(), List.copyOf(history),
                stopping.state(), sums.lossSum, sums.correct, sums.seen, stepSeconds, stepExamples, maxRss, device,
                tfDevices);
        long t0 = System.nanoTime();
        if (store.save(new Checkpoint(meta, values(session, g.state), best))) {
            savedStep = step;
            log("checkpoint saved at step %d (%d epochs, %d of %d batches of the next) in %.3f s", step, epochs, batch,
                    count, (System.nanoTime() - t0) / 1e9);
        }
        lastSave = System.nanoTime(); // after a failed save too: a full disk is not tried again at every batch
    }

    /** Puts the training where {@code loaded} was, and says so in the progress file. */
    private void continueFrom(CheckpointStore.Loaded loaded, Session session, TrainingGraph g, Batches batches,
                              EpochSums sums) {
        Checkpoint ck = loaded.checkpoint();
        Checkpoint.Meta m = ck.meta();
        restoreState(session, g, ck.state());
        history.addAll(m.history());
        stopping.restore(m.stopping());
        if (m.stopping().bestEpoch() >= 1) {
            bestWeights = ck.best().length > 0 ? ck.best()
                    : java.util.Arrays.copyOf(ck.state(), g.network.variables().size());
        }
        // the batch order of every epoch so far, drawn again from the seed: an epoch under way needs its own
        for (int i = m.epochs() + (m.batch() > 0 ? 1 : 0); i > 0; i--) {
            batches.shuffle();
        }
        sums.lossSum = m.lossSum();
        sums.correct = m.correct();
        sums.seen = m.seen();
        stepSeconds = m.stepSeconds();
        stepExamples = m.stepExamples();
        maxRss = m.maxRssMib();
        restoredDevice = m.device();
        restoredTfDevices = m.tfDevices() == null ? List.of() : m.tfDevices();
        restoredSeconds = m.seconds();
        savedStep = ck.step();
        stop.step(ck.step());
        double rounded = Math.round(m.seconds() * 1000) / 1000.0;
        continuedFrom = new WorkerResult.ContinuedFrom(m.epochs(), m.batch(), rounded);
        progress.epoch(m.epochs() + 1);
        progress.continued(m.epochs(), m.batch(), m.seconds());
        log("continuing from %s: %d epochs and %d of %d batches of the next done, %.1f s of training",
                loaded.file(), m.epochs(), m.batch(), m.batches(), m.seconds());
    }

    private StopRequest.Stopped stopped(StopRequest.Pending p, int count) {
        String saved = savedStep < 0 ? "no checkpoint saved" : savedStep >= p.step()
                ? "checkpoint saved at step " + savedStep
                : "checkpoint not saved, the last good one is at step " + savedStep;
        return new StopRequest.Stopped(p, String.format(Locale.ROOT, "%s at step %d (epoch %d, %d of %d batches done); %s",
                p.reason(), p.step(), p.step() / count + 1, p.step() % count, count, saved));
    }

    /** What a checkpoint must have been made for to continue this training. */
    private JsonNode identity(TrainingGraph g, TrainingGraph.Plan plan, Dataset train, Dataset val) {
        Checkpoints k = settings.checkpoints();
        return Json.MAPPER.valueToTree(new Checkpoint.Identity(Checkpoint.FORMAT, settings.config(), plan.height(),
                plan.width(), plan.channels(), plan.classes(), train.size(), val.size(), fingerprint(train, val),
                k.fold(), k.folds(), k.splitSeed(), settings.seed(), g.stateShapes()));
    }

    /** A 64-bit FNV-1a hash of the sets' labels and pixels: data changed under the same name is another training. */
    static String fingerprint(Dataset... sets) {
        long h = 0xcbf29ce484222325L;
        for (Dataset d : sets) {
            for (int label : d.labels()) {
                h = (h ^ label) * 0x100000001b3L;
            }
            for (float p : d.pixels()) {
                h = (h ^ Float.floatToRawIntBits(p)) * 0x100000001b3L;
            }
        }
        return String.format(Locale.ROOT, "%016x", h);
    }

    /** The running sums of an epoch's training batches. */
    private static final class EpochSums {
        double lossSum;
        double correct;
        int seen;

        void add(double loss, double right, int n) {
            lossSum += loss;
            correct += right;
            seen += n;
        }

        double loss() {
            return lossSum / seen;
        }

        double accuracy() {
            return correct / seen;
        }
    }

    /** Progress line, TensorBoard scalars and a log line with the memory figures. */
    private void record(ProgressEvent e, TensorBoardWriter board) {
        progress.write(e);
        board.scalar("loss", e.epoch(), e.loss());
        board.scalar("accuracy", e.epoch(), e.accuracy());
        board.scalar("val_loss", e.epoch(), e.valLoss());
        board.scalar("val_accuracy", e.epoch(), e.valAccuracy());
        board.flush();
        double rss = ResidentMemory.mib();
        maxRss = Math.max(maxRss, rss);
        // the Java heap's share of the RSS, so that heap growth is not mistaken for a native leak
        Runtime rt = Runtime.getRuntime();
        log("epoch %d/%d loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f %.1fs rss %.0f MiB (java heap %.0f of %.0f MiB)",
                e.epoch(), settings.config().epochs(), e.loss(), e.accuracy(), e.valLoss(), e.valAccuracy(), e.seconds(),
                rss, (rt.totalMemory() - rt.freeMemory()) / 1048576.0, rt.totalMemory() / 1048576.0);
    }

    /** The best epoch's figures; examples_per_second counts training steps only, not evaluation or start-up. */
    private Map<String, Double> metrics(List<ProgressEvent> history, int bestEpoch) {
        ProgressEvent best = history.get(bestEpoch - 1);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("val_loss", best.valLoss());
        metrics.put("val_accuracy", best.valAccuracy());
        metrics.put("train_loss", best.loss());
        metrics.put("train_accuracy", best.accuracy());
        metrics.put("best_epoch", (double) bestEpoch);
        metrics.put("epochs_run", (double) history.size());
        metrics.put("train_seconds", seconds());
        metrics.put("examples_per_second", stepExamples / Math.max(stepSeconds, 1e-9));
        metrics.put("max_rss_mib", maxRss);
        return metrics;
    }

    /** Mean loss and accuracy over the whole set, without dropout; {@code between} runs after each batch. */
    static double[] evaluate(Session session, TrainingGraph g, Dataset data, Runnable between) {
        Batches batches = new Batches(data, EVAL_BATCH, null);
        double lossSum = 0;
        double correct = 0;
        for (int b = 0; b < batches.count(); b++) {
            try (TFloat32 x = batches.images(b); TInt32 y = batches.labels(b);
                 Result r = session.runner().feed(g.images, x).feed(g.labels, y)
                         .fetch(g.evalLossSum).fetch(g.evalCorrect).run()) {
                lossSum += ((TFloat32) r.get(0)).getFloat();
                correct += ((TFloat32) r.get(1)).getFloat();
            }
            between.run();
        }
        return new double[] {lossSum / data.size(), correct / data.size()};
    }

    /** Copies the network's variables out of the session, so that a later epoch cannot overwrite them. */
    static float[][] snapshot(Session session, TrainingGraph g) {
        return values(session, g.network.variables());
    }

    /** Copies the variables' values out of the session. */
    static float[][] values(Session session, List<Variable<TFloat32>> vars) {
        Session.Runner runner = session.runner();
        vars.forEach(runner::fetch);
        float[][] out = new float[vars.size()][];
        try (Result r = runner.run()) {
            for (int i = 0; i < out.length; i++) {
                TFloat32 t = (TFloat32) r.get(i);
                out[i] = new float[(int) t.size()];
                t.copyTo(DataBuffers.of(out[i], false, false));
            }
        }
        return out;
    }

    /** Puts the network's variables back to {@code weights}. */
    static void restore(Session session, TrainingGraph g, float[][] weights) {
        assign(session, g, g.network.variables(), g.restore, weights);
    }

    /** Puts every variable of {@link TrainingGraph#state} back to {@code values}. */
    static void restoreState(Session session, TrainingGraph g, float[][] values) {
        assign(session, g, g.state, g.restoreState, values);
    }

    /** Feeds {@code values} to the first of the graph's restore inputs (one per variable of {@code vars}) and runs {@code op}. */
    private static void assign(Session session, TrainingGraph g, List<Variable<TFloat32>> vars, Op op, float[][] values) {
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner().addTarget(op);
            for (int i = 0; i < vars.size(); i++) {
                TFloat32 t = TFloat32.tensorOf(vars.get(i).shape(), DataBuffers.of(values[i], true, false));
                tensors.add(t);
                runner.feed(g.restoreInputs.get(i), t);
            }
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    private ConfigProto sessionConfig() {
        ConfigProto.Builder b = ConfigProto.newBuilder()
                // several workers may share one GPU: take memory as needed, not all of it up front
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true))
                .setAllowSoftPlacement(true);
        if (settings.threads() != null) {
            b.setIntraOpParallelismThreads(settings.threads()).setInterOpParallelismThreads(settings.threads());
        }
        return b.build();
    }

    /** Seconds of training: this attempt's, plus those a checkpoint brought in. */
    private double seconds() {
        return restoredSeconds + (System.nanoTime() - start) / 1e9;
    }

    private static Map<String, String> directions() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("val_loss", WorkerResult.MIN);
        d.put("val_accuracy", WorkerResult.MAX);
        d.put("train_loss", WorkerResult.MIN);
        d.put("train_accuracy", WorkerResult.MAX);
        d.put("best_epoch", WorkerResult.MIN);
        d.put("epochs_run", WorkerResult.MIN);
        d.put("train_seconds", WorkerResult.MIN);
        d.put("examples_per_second", WorkerResult.MAX);
        d.put("max_rss_mib", WorkerResult.MIN);
        return java.util.Collections.unmodifiableMap(d);
    }

    static void log(String format, Object... args) {
        System.err.println("isofold-worker: " + String.format(Locale.ROOT, format, args));
    }
}
