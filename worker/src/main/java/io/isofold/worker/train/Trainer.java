package io.isofold.worker.train;

import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import io.isofold.shared.WorkerResult;
import io.isofold.worker.data.Dataset;
import io.isofold.worker.device.DeviceProbe;
import java.nio.file.Path;
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
import org.tensorflow.types.TInt32;

/**
 * Trains one model on one fold: epochs of shuffled mini-batches, evaluation on the validation set after
 * each, early stopping on the validation loss, and the best epoch's weights restored at the end.
 */
public final class Trainer {
    /** Evaluation batches are larger than training ones: no gradients, so memory allows it. */
    private static final int EVAL_BATCH = 500;

    /**
     * @param threads    TensorFlow intra- and inter-op threads, or null for TensorFlow's default
     * @param attemptDir where {@code model/} and {@code tensorboard/} go
     */
    public record Settings(ModelConfig config, long seed, Integer threads, Path attemptDir, boolean saveModel) {}

    private final Settings settings;
    private final ProgressWriter progress;
    private long start;
    /** The device TensorFlow computed on, found by tracing the first training step. */
    private String device;
    private List<String> tfDevices = List.of();
    private double stepSeconds;
    private long stepExamples;
    private double maxRss;

    /** A Trainer trains once: it keeps the figures of its one run. */
    public Trainer(Settings settings, ProgressWriter progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public WorkerResult train(Dataset train, Dataset val) {
        return train(train, val, null);
    }

    /**
     * @param ahead a graph built ahead (by a standby worker), used when it is the one this training would
     *              build, and closed either way; or null
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
            EarlyStopping stopping = new EarlyStopping(c.patience());
            List<ProgressEvent> history = new ArrayList<>();
            float[][] bestWeights = null;
            log("training %s on %d images, validating on %d; %d parameters; %s", c.name(), train.size(),
                    val.size(), g.parameterCount(), g.variableNames());

            for (int epoch = 1; epoch <= c.epochs(); epoch++) {
                progress.epoch(epoch);
                double[] t = trainEpoch(session, g, batches, epoch);
                double[] v = evaluate(session, g, val);
                ProgressEvent event = new ProgressEvent(epoch, null, null, t[0], t[1], v[0], v[1], seconds());
                history.add(event);
                record(event, board);
                if (stopping.update(epoch, v[0])) {
                    bestWeights = snapshot(session, g);
                } else if (stopping.shouldStop()) {
                    log("early stop: val_loss has not improved for %d epochs since epoch %d",
                            epoch - stopping.bestEpoch(), stopping.bestEpoch());
                    break;
                }
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
            return new WorkerResult(metrics(history, bestEpoch), history, device, g.parameterCount(),
                    g.variableNames(), saved, train.size(), val.size(), tfDevices, null);
        }
    }

    /** What the graph for {@code train} and {@code val} is built from. */
    public static TrainingGraph.Plan plan(ModelConfig c, Dataset train, Dataset val, long seed) {
        return new TrainingGraph.Plan(c, train.height(), train.width(), train.channels(),
                Math.max(train.classes(), val.classes()), seed);
    }

    /** One pass over the shuffled training set; returns its mean loss and accuracy (with dropout, as Keras reports). */
    private double[] trainEpoch(Session session, TrainingGraph g, Batches batches, int epoch) {
        batches.shuffle();
        double lossSum = 0;
        double correct = 0;
        int seen = 0;
        for (int b = 0; b < batches.count(); b++) {
            long t0 = System.nanoTime();
            try (TFloat32 x = batches.images(b); TInt32 y = batches.labels(b)) {
                Session.Runner runner = session.runner().feed(g.images, x).feed(g.labels, y)
                        .addTarget(g.trainStep).fetch(g.trainLoss).fetch(g.trainCorrect);
                boolean trace = device == null;
                if (trace) {
                    runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
                }
                try (Result r = trace ? runner.runAndFetchMetadata() : runner.run()) {
                    int n = batches.size(b);
                    lossSum += ((TFloat32) r.get(0)).getFloat() * n;
                    correct += ((TFloat32) r.get(1)).getFloat();
                    seen += n;
                    if (trace) {
                        tfDevices = r.getMetadata().map(DeviceProbe::devices).orElse(List.of());
                        device = DeviceProbe.describe(tfDevices);
                        log("computing on %s %s", device, tfDevices);
                        progress.phase(ProgressEvent.PHASE_TRAINING);
                    }
                }
            }
            stepSeconds += (System.nanoTime() - t0) / 1e9;
            stepExamples += batches.size(b);
            if (progress.heartbeatDue() && b + 1 < batches.count()) {
                progress.write(new ProgressEvent(epoch, b + 1, batches.count(), lossSum / seen, correct / seen,
                        null, null, seconds()));
            }
        }
        if (!Double.isFinite(lossSum)) {
            throw new IllegalStateException("training diverged: loss " + lossSum / seen + " in epoch " + epoch);
        }
        return new double[] {lossSum / seen, correct / seen};
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

    /** Mean loss and accuracy over the whole set, without dropout. */
    static double[] evaluate(Session session, TrainingGraph g, Dataset data) {
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
        }
        return new double[] {lossSum / data.size(), correct / data.size()};
    }

    /** Copies the variables' values out of the session, so that a later epoch cannot overwrite them. */
    static float[][] snapshot(Session session, TrainingGraph g) {
        var vars = g.network.variables();
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

    static void restore(Session session, TrainingGraph g, float[][] weights) {
        var vars = g.network.variables();
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner().addTarget(g.restore);
            for (int i = 0; i < vars.size(); i++) {
                TFloat32 t = TFloat32.tensorOf(vars.get(i).shape(), DataBuffers.of(weights[i], true, false));
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

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    static void log(String format, Object... args) {
        System.err.println("isofold-worker: " + String.format(Locale.ROOT, format, args));
    }
}
