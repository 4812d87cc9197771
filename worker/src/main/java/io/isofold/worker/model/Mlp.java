package io.isofold.worker.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** A multilayer perceptron: flatten, dense ReLU layers (each followed by dropout), dense logits. */
public final class Mlp implements Network {
    private final List<Variable<TFloat32>[]> denses = new java.util.ArrayList<>();
    private final Variable<TFloat32>[] out;
    private final List<Variable<TFloat32>> variables;
    private final int flat;
    private final double dropout;
    private final long dropoutSeed;

    @SuppressWarnings("unchecked")
    public Mlp(Ops tf, int height, int width, int channels, int classes, List<Integer> units, double dropout, long seed) {
        Parameters p = new Parameters(tf, seed);
        flat = height * width * channels;
        int prev = flat;
        for (int i = 0; i < units.size(); i++) {
            String name = "dense" + (i + 1);
            denses.add(new Variable[] {p.reluKernel(name, Shape.of(prev, units.get(i))), p.bias(name, units.get(i))});
            prev = units.get(i);
        }
        out = new Variable[] {p.linearKernel("logits", Shape.of(prev, classes)), p.bias("logits", classes)};
        this.variables = p.all();
        this.dropout = dropout;
        this.dropoutSeed = p.nextSeed();
    }

    @Override
    public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, boolean training) {
        Operand<TFloat32> x = tf.reshape(images, tf.constant(new int[] {-1, flat}));
        for (int i = 0; i < denses.size(); i++) {
            Variable<TFloat32>[] d = denses.get(i);
            x = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(x, d[0]), d[1]));
            if (training) {
                x = Dropout.apply(tf, x, dropout, dropoutSeed, i + 1);
            }
        }
        return tf.nn.biasAdd(tf.linalg.matMul(x, out[0]), out[1]);
    }

    @Override
    public List<Variable<TFloat32>> variables() {
        return variables;
    }
}
