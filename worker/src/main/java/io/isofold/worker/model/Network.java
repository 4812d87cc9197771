package io.isofold.worker.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A classifier's forward pass over variables it created once. It can be applied twice to the same
 * variables, for training (with dropout) and for evaluation and serving (without).
 */
public interface Network {
    /**
     * Logits of shape [batch, classes] for images of shape [batch, height, width, channels].
     *
     * @param step the training step's number (a scalar), which seeds its dropout masks; null for evaluation and
     *             serving, without dropout
     */
    Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, Operand<TInt64> step);

    /** The trainable variables, in creation order. */
    List<Variable<TFloat32>> variables();
}
