package io.isofold.worker.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/** Inverted dropout: zero a fraction of activations and scale the rest, so evaluation needs no rescaling. */
final class Dropout {
    private Dropout() {}

    static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, double rate, long seed, long seed2) {
        if (rate <= 0) {
            return x;
        }
        // a seeded stateful op: a fresh mask every step, the same sequence of masks in every rerun
        Operand<TFloat32> u = tf.random.randomUniform(tf.shape(x), TFloat32.class,
                RandomUniform.seed(seed), RandomUniform.seed2(seed2));
        Operand<TFloat32> keep = tf.stopGradient(
                tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant((float) rate)), TFloat32.class));
        return tf.math.mul(x, tf.math.mul(keep, tf.constant((float) (1.0 / (1.0 - rate)))));
    }
}
