package io.isofold.worker.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** A multilayer perceptron: flatten, dense ReLU layers (each followed by dropout), dense logits. */
public final class Mlp implements Network {
    private final DenseHead head;
    private final List<Variable<TFloat32>> variables;
    private final int flat;

    public Mlp(Ops tf, int height, int width, int channels, int classes, List<Integer> units, double dropout, long seed) {
        Parameters p = new Parameters(tf, seed);
        flat = height * width * channels;
        head = new DenseHead(p, flat, units, classes, dropout);
        this.variables = p.all();
        head.seedDropout(p);
    }

    @Override
    public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, Operand<TInt64> step) {
        return head.logits(tf, tf.reshape(images, tf.constant(new int[] {-1, flat})), step);
    }

    @Override
    public List<Variable<TFloat32>> variables() {
        return variables;
    }
}
