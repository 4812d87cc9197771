package io.isofold.worker;

import io.isofold.shared.Handoff;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.StratifiedFolds;
import io.isofold.shared.WorkerEnv;
import io.isofold.worker.data.Dataset;
import io.isofold.worker.data.DatasetReader;
import io.isofold.worker.train.Trainer;
import io.isofold.worker.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A worker started ahead of its task (see {@link Handoff}): while the slot's current attempt still
 * runs, it pays most of what every attempt pays before its first step (the JVM, TensorFlow's native
 * library, the data and its split, and the graph of the task it was told to expect, which carries
 * that task's seed and is used only if the guess was right), then waits for the task. Given it, it
 * runs that one task exactly as a freshly started worker would and exits: a standby never trains twice.
 *
 * <p>On a GPU slot nothing here creates a TensorFlow session, and building a graph does not touch
 * the device: CUDA is initialised (and GPU memory taken) only by the first session, after the
 * handoff, when the slot's previous attempt has exited. It trains nothing, on CPU slots either: a
 * throw-away model trained on two batches (which warmed TensorFlow's kernels and the session's code)
 * made the attempt's first step sooner but cost more than it saved, since a CPU slot's attempt keeps
 * the cores busy while its standby starts. 12 mlp attempts of 1 epoch on 2 cores, 3 rounds side by
 * side: 17.7 s with it, 16.2 s without; 33 CPU-seconds against 30.
 *
 * <p>Everything before the wait is best effort: a preparation that fails is said on stderr and the task
 * then meets the problem itself, where it is reported as the attempt's.
 */
final class Standby {
    private static final long POLL_MILLIS = 2;

    private final Path handoffFile;
    private Path dataPath;
    private Dataset data;
    private int folds;
    private long shuffleSeed;
    private int[] foldOf;
    /** The expected task's fold, split ahead: {@code [train, validation]}. */
    private int splitFold = -1;
    private Dataset[] split;
    /** The expected task's own graph (its seed is in its ops): used if the guess was right. */
    private TrainingGraph graph;

    private Standby(Path handoffFile) {
        this.handoffFile = handoffFile;
    }

    /** Prepares for the task the supervisor expects to hand over ({@code ISOFOLD_TASK}). */
    static Standby prepare(String[] args, Map<String, String> env) {
        Standby s = new Standby(Path.of(env.get(WorkerEnv.STANDBY)));
        long t0 = System.nanoTime();
        try {
            org.tensorflow.TensorFlow.version(); // loads the native library
            ResolvedTask expected = ResolvedTask.load(args, env);
            s.dataPath = expected.data();
            s.data = DatasetReader.read(expected.data());
            s.folds(expected.task().folds(), expected.task().splitSeed());
            s.split(expected.task().fold());
            if (!Files.exists(s.handoffFile)) { // a task that came early is run at once, with no graph built for a guess
                s.buildGraph(expected);
            }
            System.err.printf(java.util.Locale.ROOT, "isofold-worker: standby: ready in %.1f s, waiting for the task%n",
                    (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException | LinkageError e) {
            System.err.println("isofold-worker: standby: preparation incomplete (" + e + "); waiting for the task");
        }
        return s;
    }

    /**
     * Blocks until the task arrives, then returns the environment to run it with. The supervisor ends
     * a standby it no longer needs; should the supervisor die instead, {@link ParentWatch} ends it.
     */
    Map<String, String> awaitTask(Map<String, String> env) throws InterruptedException {
        while (!Files.exists(handoffFile)) {
            Thread.sleep(POLL_MILLIS);
        }
        try {
            return Handoff.read(handoffFile).over(env);
        } catch (IOException e) {
            throw new BadTaskException("cannot read the handoff " + handoffFile + ": " + e.getMessage());
        }
    }

    /** The data read ahead, when the task names the same file; null otherwise. */
    Dataset data(Path path) {
        return data != null && path.toAbsolutePath().normalize().equals(dataPath.toAbsolutePath().normalize())
                ? data : null;
    }

    /** The fold of every example, when computed ahead for the same folds and shuffle; null otherwise. */
    int[] folds(Dataset of, int k, long seed) {
        return of == data && foldOf != null && folds == k && shuffleSeed == seed ? foldOf : null;
    }

    /**
     * The training and validation sets of {@code fold}, when split ahead for the same data, folds and
     * shuffle ({@code folds} the array {@link #folds(Dataset, int, long)} returned); null otherwise.
     */
    Dataset[] split(int[] folds, int fold) {
        return split != null && folds == foldOf && fold == splitFold ? split : null;
    }

    /** Drops what was prepared, so that the full data set is not kept while the task trains. */
    void forget() {
        data = null;
        foldOf = null;
        split = null;
    }

    private void split(int fold) {
        if (foldOf != null) {
            split = new Dataset[] {data.select(Dataset.where(foldOf, fold, false)),
                    data.select(Dataset.where(foldOf, fold, true))};
            splitFold = fold;
        }
    }

    private void folds(int k, long seed) {
        try {
            foldOf = StratifiedFolds.assign(data.labels(), k, seed);
            folds = k;
            shuffleSeed = seed;
        } catch (IllegalArgumentException e) {
            foldOf = null; // the task will say so
        }
    }

    /** The graph built ahead, for the trainer to use or close; null when none was built. */
    TrainingGraph takeGraph() {
        TrainingGraph g = graph;
        graph = null;
        return g;
    }

    private void buildGraph(ResolvedTask expected) {
        if (split != null) {
            // a graph, never a session: no CUDA context, no GPU memory while another attempt holds the GPU
            ModelConfig c = expected.config();
            TrainingGraph.Plan p = Trainer.plan(c, split[0], split[1], expected.task().seed());
            graph = new TrainingGraph(c, p.height(), p.width(), p.channels(), p.classes(), p.seed());
        }
    }
}
