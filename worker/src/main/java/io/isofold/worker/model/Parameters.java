package io.isofold.worker.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/**
 * Creates a network's trainable variables with seeded initial values and stable names.
 *
 * <p>Variables are named at the root scope ({@code conv1_kernel}, never under a sub-scope) because the
 * optimizers derive their slot names from the variable's op name and break on sub-scoped ones; and
 * names are given explicitly so that no {@code _1} suffix can creep in, which keeps the variable list
 * identical across replicates and lets saved models be compared. (Op names may not contain '/'.)
 *
 * <p>The initial values are drawn here rather than by tensorflow-framework's He and Glorot classes: in
 * 1.1.0 their UNIFORM distribution draws from [0, limit) instead of [-limit, limit), which leaves every
 * weight positive and stalls training at chance level.
 */
final class Parameters {
    private final Ops tf;
    private final Ops init;
    private final long seed;
    private final List<Variable<TFloat32>> all = new ArrayList<>();

    Parameters(Ops tf, long seed) {
        this.tf = tf;
        this.init = tf.withInitScope();
        this.seed = seed;
    }

    /** A kernel feeding a ReLU: He-uniform, limit sqrt(6 / fan_in), which keeps activations' variance through ReLUs. */
    Variable<TFloat32> reluKernel(String layer, Shape shape) {
        return add(layer + "_kernel", uniform(shape, Math.sqrt(6.0 / fans(shape)[0])));
    }

    /** A kernel feeding the logits: Glorot-uniform, limit sqrt(6 / (fan_in + fan_out)), Keras' default. */
    Variable<TFloat32> linearKernel(String layer, Shape shape) {
        long[] fans = fans(shape);
        return add(layer + "_kernel", uniform(shape, Math.sqrt(6.0 / (fans[0] + fans[1]))));
    }

    Variable<TFloat32> bias(String layer, long size) {
        return add(layer + "_bias", init.zeros(init.constant(Shape.of(size)), TFloat32.class));
    }

    /** A seed per random op, derived from the task's seed so replicates differ and reruns repeat. */
    long nextSeed() {
        return seed * 1_000_003L + all.size() * 7919L + 17;
    }

    List<Variable<TFloat32>> all() {
        return List.copyOf(all);
    }

    private Operand<TFloat32> uniform(Shape shape, double limit) {
        Operand<TFloat32> u = init.random.randomUniform(init.constant(shape), TFloat32.class,
                RandomUniform.seed(nextSeed()), RandomUniform.seed2(all.size() + 1L));
        // u in [0, 1) -> [-limit, limit)
        return init.math.mul(init.math.sub(u, init.constant(0.5f)), init.constant((float) (2 * limit)));
    }

    /** Fan-in and fan-out as Keras computes them: a conv kernel [kh, kw, in, out] counts its receptive field. */
    private static long[] fans(Shape shape) {
        int rank = shape.numDimensions();
        long receptive = 1;
        for (int i = 0; i < rank - 2; i++) {
            receptive *= shape.get(i);
        }
        return new long[] {shape.get(rank - 2) * receptive, shape.get(rank - 1) * receptive};
    }

    private Variable<TFloat32> add(String name, Operand<TFloat32> value) {
        Variable<TFloat32> v = tf.withName(name).variable(value);
        all.add(v);
        return v;
    }
}
