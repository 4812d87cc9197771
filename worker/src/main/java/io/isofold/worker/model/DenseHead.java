package io.isofold.worker.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The classifier end both networks share: dense ReLU layers {@code dense1..n}, each followed by
 * dropout while training, then dense {@code logits}.
 */
final class DenseHead {
    private final List<Variable<TFloat32>[]> denses = new ArrayList<>();
    private final Variable<TFloat32>[] out;
    private final double dropout;
    private Long dropoutSeed;

    /** Creates the variables; {@link #seedDropout} must follow once every variable of the network exists. */
    @SuppressWarnings("unchecked")
    DenseHead(Parameters p, int inputs, List<Integer> units, int classes, double dropout) {
        int prev = inputs;
        for (int i = 0; i < units.size(); i++) {
            String name = "dense" + (i + 1);
            denses.add(new Variable[] {p.reluKernel(name, Shape.of(prev, units.get(i))), p.bias(name, units.get(i))});
            prev = units.get(i);
        }
        out = new Variable[] {p.linearKernel("logits", Shape.of(prev, classes)), p.bias("logits", classes)};
        this.dropout = dropout;
    }

    /** Draws the dropout seed after the network's variables, so their initial values do not depend on it. */
    void seedDropout(Parameters p) {
        dropoutSeed = p.nextSeed();
    }

    /** Logits of {@code x}, a [batch, inputs] tensor; with dropout when given the training step's number. */
    Operand<TFloat32> logits(Ops tf, Operand<TFloat32> x, Operand<TInt64> step) {
        for (int i = 0; i < denses.size(); i++) {
            Variable<TFloat32>[] d = denses.get(i);
            x = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(x, d[0]), d[1]));
            if (step != null) {
                x = Dropout.apply(tf, x, dropout, dropoutSeed, i + 1, step);
            }
        }
        return tf.nn.biasAdd(tf.linalg.matMul(x, out[0]), out[1]);
    }
}
