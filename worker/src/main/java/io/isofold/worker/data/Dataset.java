package io.isofold.worker.data;

import io.isofold.worker.BadTaskException;
import java.util.Arrays;

/**
 * Images of one size with integer labels, held in memory as one flat array in NHWC order.
 *
 * @param pixels  {@code size() * height * width * channels} values in [0, 1]
 * @param labels  class ids in [0, classes)
 * @param classes number of classes (max label + 1, or the number of class folders)
 */
public record Dataset(int height, int width, int channels, float[] pixels, int[] labels, int classes) {

    public Dataset {
        if (height < 1 || width < 1 || channels < 1) {
            throw new BadTaskException("dataset has an empty image shape " + height + "x" + width + "x" + channels);
        }
        if (labels.length == 0) {
            throw new BadTaskException("dataset has no examples");
        }
        if ((long) labels.length * height * width * channels != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixels do not make " + labels.length
                    + " images of " + height + "x" + width + "x" + channels);
        }
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new BadTaskException("label " + label + " outside [0, " + classes + ")");
            }
        }
        if (classes < 2) {
            throw new BadTaskException("dataset has " + classes + " class; classification needs at least 2");
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return height * width * channels;
    }

    /** The examples at {@code indices}, in that order. */
    public Dataset select(int[] indices) {
        int n = imageSize();
        float[] p = new float[indices.length * n];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            l[i] = labels[indices[i]];
        }
        return new Dataset(height, width, channels, p, l, classes);
    }

    /** Indices of the examples whose entry in {@code fold} is (or, with {@code equal} false, is not) {@code f}. */
    public static int[] where(int[] fold, int f, boolean equal) {
        return java.util.stream.IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == equal).toArray();
    }

    @Override
    public String toString() {
        return "Dataset[" + size() + " images " + height + "x" + width + "x" + channels + ", " + classes + " classes]";
    }

    /** By content: a record's own equals would compare the arrays by identity. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && height == d.height && width == d.width && channels == d.channels
                && classes == d.classes && Arrays.equals(pixels, d.pixels) && Arrays.equals(labels, d.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(labels) + Arrays.hashCode(pixels);
    }
}
