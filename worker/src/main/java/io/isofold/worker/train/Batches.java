package io.isofold.worker.train;

import io.isofold.worker.data.Dataset;
import java.util.Random;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Mini-batches over a dataset, in an order reshuffled each epoch when given a random source. */
final class Batches {
    private final Dataset data;
    private final int batchSize;
    private final Random random;
    private final int[] order;
    private final float[] buffer;

    Batches(Dataset data, int batchSize, Random random) {
        this.data = data;
        this.batchSize = batchSize;
        this.random = random;
        this.order = java.util.stream.IntStream.range(0, data.size()).toArray();
        this.buffer = new float[Math.min(batchSize, data.size()) * data.imageSize()];
    }

    void shuffle() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    int count() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    int size(int b) {
        return Math.min(batchSize, data.size() - b * batchSize);
    }

    TFloat32 images(int b) {
        int n = size(b);
        int len = data.imageSize();
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.pixels(), order[b * batchSize + i] * len, buffer, i * len, len);
        }
        // tensorOf copies into the tensor's native memory, so the buffer is free for the next batch
        return TFloat32.tensorOf(Shape.of(n, data.height(), data.width(), data.channels()),
                DataBuffers.of(buffer, true, false).narrow((long) n * len));
    }

    TInt32 labels(int b) {
        int n = size(b);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = data.labels()[order[b * batchSize + i]];
        }
        return TInt32.vectorOf(y);
    }
}
