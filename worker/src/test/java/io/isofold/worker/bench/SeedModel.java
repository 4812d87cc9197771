package io.isofold.worker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.losses.MeanSquaredError;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The seed benchmark's model, the small one of the blog posts on TensorFlow slowing down in a loop:
 * Dense(8, relu) -> Dense(1), mean squared error, Adam; built into a graph that may already hold others,
 * trained for one step, then evaluated. Written the way a user's loop writes it: inputs, variables and
 * optimizer created anew for every model, in whatever graph and session the loop has.
 */
final class SeedModel {
    static final int FEATURES = 10;
    static final int EXAMPLES = 256;
    private static final int HIDDEN = 8;

    private final Placeholder<TFloat32> x;
    private final Placeholder<TFloat32> y;
    private final Operand<TFloat32> loss;
    private final Op trainStep;

    /** {@code prefix} keeps names apart in a shared graph: variables at the root scope, as the optimizers need. */
    SeedModel(Graph graph, String prefix, long seed) {
        Ops tf = Ops.create(graph);
        Ops init = tf.withInitScope();
        Random random = new Random(seed);
        x = tf.withName(prefix + "x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, FEATURES)));
        y = tf.withName(prefix + "y").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
        Variable<TFloat32> w1 = tf.withName(prefix + "dense1_kernel").variable(glorot(init, random, FEATURES, HIDDEN));
        Variable<TFloat32> b1 = tf.withName(prefix + "dense1_bias").variable(init.zeros(init.constant(Shape.of(HIDDEN)), TFloat32.class));
        Variable<TFloat32> w2 = tf.withName(prefix + "dense2_kernel").variable(glorot(init, random, HIDDEN, 1));
        Variable<TFloat32> b2 = tf.withName(prefix + "dense2_bias").variable(init.zeros(init.constant(Shape.of(1)), TFloat32.class));
        Operand<TFloat32> hidden = tf.nn.relu(tf.math.add(tf.linalg.matMul(x, w1), b1));
        Operand<TFloat32> out = tf.math.add(tf.linalg.matMul(hidden, w2), b2);
        loss = new MeanSquaredError().call(tf, y, out);

        // gradients against this model's variables only: minimize() would take every variable in the graph
        List<Variable<TFloat32>> vars = List.of(w1, b1, w2, b2);
        Output<?>[] grads = graph.addGradients(loss.asOutput(), vars.stream().map(Variable::asOutput).toArray(Output[]::new));
        List<Optimizer.GradAndVar<? extends TType>> pairs = new ArrayList<>();
        for (int i = 0; i < vars.size(); i++) {
            @SuppressWarnings("unchecked")
            Output<TFloat32> g = (Output<TFloat32>) grads[i];
            pairs.add(new Optimizer.GradAndVar<>(g, vars.get(i).asOutput()));
        }
        trainStep = new Adam(graph, prefix + "Adam", 1e-3f).applyGradients(pairs, prefix + "train");
    }

    /** Initialises what is new in the session, trains one step on the data, returns the loss evaluated after it. */
    float trainOneStepAndEvaluate(Session session, float[] features, float[] targets) {
        session.initialize();
        try (TFloat32 xs = TFloat32.tensorOf(Shape.of(EXAMPLES, FEATURES), DataBuffers.of(features, true, false));
             TFloat32 ys = TFloat32.tensorOf(Shape.of(EXAMPLES, 1), DataBuffers.of(targets, true, false))) {
            session.runner().feed(x, xs).feed(y, ys).addTarget(trainStep).run().close();
            try (Result r = session.runner().feed(x, xs).feed(y, ys).fetch(loss).run()) {
                return ((TFloat32) r.get(0)).getFloat();
            }
        }
    }

    /** A fixed regression problem: y = x . w + noise, the same for every model of a run. */
    static float[][] data(long seed) {
        Random random = new Random(seed);
        float[] w = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[] features = new float[EXAMPLES * FEATURES];
        float[] targets = new float[EXAMPLES];
        for (int n = 0; n < EXAMPLES; n++) {
            float sum = 0;
            for (int i = 0; i < FEATURES; i++) {
                float v = (float) random.nextGaussian();
                features[n * FEATURES + i] = v;
                sum += v * w[i];
            }
            targets[n] = sum + 0.1f * (float) random.nextGaussian();
        }
        return new float[][] {features, targets};
    }

    /** Glorot-uniform drawn in Java (the framework's initialisers draw from [0, limit) in 1.1.0, see docs/builtin-worker.md). */
    private static Operand<TFloat32> glorot(Ops init, Random random, int in, int out) {
        double limit = Math.sqrt(6.0 / (in + out));
        float[] values = new float[in * out];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
        return init.constant(Shape.of(in, out), DataBuffers.of(values, true, false));
    }
}
