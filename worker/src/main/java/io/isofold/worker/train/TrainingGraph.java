package io.isofold.worker.train;

import io.isofold.shared.ModelConfig;
import io.isofold.worker.model.Network;
import io.isofold.worker.model.Networks;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.losses.CategoricalCrossentropy;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The whole graph of one training run: the network applied twice to the same variables (a training
 * path with dropout and an evaluation path without), the loss, Adam's update, the metrics, and the
 * assign ops that put the best epoch's weights back, or a checkpoint's weights and Adam's state.
 */
public final class TrainingGraph implements AutoCloseable {
    public static final String INPUT = "images";
    public static final String OUTPUT = "probabilities";

    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Placeholder<TFloat32> images;
    final Placeholder<TInt32> labels;
    /** The training step's number, from 0 over the whole training: it seeds the step's dropout masks. */
    final Placeholder<TInt64> step;
    final Network network;
    /** Mean cross-entropy of the training batch (with dropout): what Adam minimises. */
    final Operand<TFloat32> trainLoss;
    /** Correctly classified examples of the training batch, under dropout as Keras counts them. */
    final Operand<TFloat32> trainCorrect;
    final Op trainStep;
    /** Summed (not averaged) so that batches of any size add up to the exact mean over the set. */
    final Operand<TFloat32> evalLossSum;
    final Operand<TFloat32> evalCorrect;
    final Operand<TFloat32> probabilities;
    /** What a checkpoint holds of the session: the network's variables, then Adam's ({@link SequencedAdam#state}). */
    final List<Variable<TFloat32>> state = new ArrayList<>();
    /** One input per variable of {@link #state}, in its order; the network's come first. */
    final List<Placeholder<TFloat32>> restoreInputs = new ArrayList<>();
    /** Assigns the network's variables from the first inputs of {@link #restoreInputs}. */
    final Op restore;
    /** Assigns every variable of {@link #state} from {@link #restoreInputs}. */
    final Op restoreState;
    /** What the graph was built for: the model, the input's shape and classes, and the seed its ops carry. */
    private final Plan built;

    /** What a graph is built from: two equal ones build the same graph, op for op and seed for seed. */
    public record Plan(ModelConfig config, int height, int width, int channels, int classes, long seed) {}

    public TrainingGraph(ModelConfig config, int height, int width, int channels, int classes, long seed) {
        built = new Plan(config, height, width, channels, classes, seed);
        try {
            images = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, height, width, channels)));
            labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
            step = tf.withName("step").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
            network = Networks.create(tf, config, height, width, channels, classes, seed);

            // one-hot labels with the dense cross-entropy: the sparse one has no gradient in TF Java
            Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
            CategoricalCrossentropy perExample = new CategoricalCrossentropy(true, 0f, Reduction.NONE);

            Operand<TFloat32> trainLogits = network.logits(tf, images, step);
            trainLoss = tf.math.mean(perExample.call(tf, oneHot, trainLogits), tf.constant(0));
            trainCorrect = correct(trainLogits);

            Operand<TFloat32> evalLogits = network.logits(tf, images, null);
            evalLossSum = tf.sum(perExample.call(tf, oneHot, evalLogits), tf.constant(0));
            evalCorrect = correct(evalLogits);
            probabilities = tf.withName(OUTPUT).nn.softmax(evalLogits);

            // gradients against this network's variables only, not whatever else the graph may hold
            List<Variable<TFloat32>> vars = network.variables();
            Output<?>[] varOutputs = vars.stream().map(Variable::asOutput).toArray(Output[]::new);
            Output<?>[] grads = graph.addGradients(trainLoss.asOutput(), varOutputs);
            List<Optimizer.GradAndVar<? extends TType>> pairs = new ArrayList<>();
            for (int i = 0; i < vars.size(); i++) {
                @SuppressWarnings("unchecked")
                Output<TFloat32> g = (Output<TFloat32>) grads[i];
                pairs.add(new Optimizer.GradAndVar<>(g, vars.get(i).asOutput()));
            }
            SequencedAdam adam = new SequencedAdam(graph, (float) config.learningRate());
            trainStep = adam.applyGradients(pairs, "train");
            state.addAll(vars);
            state.addAll(adam.state(vars));

            List<Op> assigns = new ArrayList<>();
            for (Variable<TFloat32> v : state) {
                Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
                restoreInputs.add(in);
                assigns.add(tf.assign(v, in));
            }
            restore = tf.withControlDependencies(assigns.subList(0, vars.size())).noOp();
            restoreState = tf.withControlDependencies(assigns).noOp();
        } catch (RuntimeException e) {
            graph.close(); // a half-built graph still holds native memory
            throw e;
        }
    }

    private Operand<TFloat32> correct(Operand<TFloat32> logits) {
        Operand<TInt32> predicted = tf.math.argMax(logits, tf.constant(1), TInt32.class);
        return tf.sum(tf.dtypes.cast(tf.math.equal(predicted, labels), TFloat32.class), tf.constant(0));
    }

    /** Whether this graph is the one {@code plan} would build. */
    public boolean builtFor(Plan plan) {
        return built.equals(plan);
    }

    public List<String> variableNames() {
        return network.variables().stream().map(v -> v.op().name()).toList();
    }

    /** Each variable of {@link #state} as {@code name [d0, d1...]}: what a checkpoint must have been made for. */
    public List<String> stateShapes() {
        return state.stream().map(v -> v.op().name() + " " + v.shape()).toList();
    }

    public long parameterCount() {
        return network.variables().stream().mapToLong(v -> v.shape().size()).sum();
    }

    @Override
    public void close() {
        graph.close();
    }
}
