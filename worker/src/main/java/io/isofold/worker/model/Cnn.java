package io.isofold.worker.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The TensorFlow tutorial's CNN: conv 3x3 (filters[0], ReLU, same) + max-pool 2, conv 3x3 (filters[1]) +
 * max-pool 2, flatten, dense (units[0], ReLU) + dropout, dense logits. Further filters or units add blocks.
 */
public final class Cnn implements Network {
    private static final List<Long> STRIDE_ONE = List.of(1L, 1L, 1L, 1L);

    private final List<Variable<TFloat32>[]> convs = new java.util.ArrayList<>();
    private final DenseHead head;
    private final List<Variable<TFloat32>> variables;
    private final int flat;

    @SuppressWarnings("unchecked")
    public Cnn(Ops tf, int height, int width, int channels, int classes,
               List<Integer> filters, List<Integer> units, double dropout, long seed) {
        Parameters p = new Parameters(tf, seed);
        int in = channels;
        int h = height;
        int w = width;
        for (int i = 0; i < filters.size(); i++) {
            String name = "conv" + (i + 1);
            int f = filters.get(i);
            convs.add(new Variable[] {p.reluKernel(name, Shape.of(3, 3, in, f)), p.bias(name, f)});
            in = f;
            h /= 2; // VALID 2x2 pooling floors odd sizes, as Keras' MaxPooling2D does
            w /= 2;
        }
        if (h < 1 || w < 1) {
            throw new io.isofold.worker.BadTaskException(filters.size() + " pooling steps leave nothing of "
                    + height + "x" + width + " images");
        }
        flat = h * w * in;
        head = new DenseHead(p, flat, units, classes, dropout);
        this.variables = p.all();
        head.seedDropout(p);
    }

    @Override
    public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, Operand<TInt64> step) {
        Operand<TFloat32> x = images;
        for (Variable<TFloat32>[] conv : convs) {
            x = tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, conv[0], STRIDE_ONE, "SAME"), conv[1]));
            x = tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
        }
        return head.logits(tf, tf.reshape(x, tf.constant(new int[] {-1, flat})), step);
    }

    @Override
    public List<Variable<TFloat32>> variables() {
        return variables;
    }
}
