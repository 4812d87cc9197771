package io.isofold.worker.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Inverted dropout: zero a fraction of activations and scale the rest, so evaluation needs no rescaling. */
final class Dropout {
    private Dropout() {}

    /**
     * @param seed  the network's dropout seed
     * @param layer which dropout of the network this is, from 1
     * @param step  the training step's number
     */
    static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, double rate, long seed, long layer, Operand<TInt64> step) {
        if (rate <= 0) {
            return x;
        }
        // a stateless op keyed by (seed, layer) and the step: the mask of step n is the same whether the
        // training ran through or continued from a checkpoint in a new session; a stateful random op would
        // start its sequence over in every new session
        Operand<TInt64> key = tf.stack(List.of(tf.constant(seed * 31 + layer), step));
        Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(x), key, TFloat32.class);
        Operand<TFloat32> keep = tf.stopGradient(
                tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant((float) rate)), TFloat32.class));
        return tf.math.mul(x, tf.math.mul(keep, tf.constant((float) (1.0 / (1.0 - rate)))));
    }
}
