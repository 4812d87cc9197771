package io.isofold.worker;

import io.isofold.worker.data.Dataset;
import io.isofold.worker.data.IdxReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Test datasets: slices of the bundled Fashion-MNIST subset, and IDX files written from a Dataset. */
public final class TestData {
    /** Tests run in the worker module's folder. */
    public static final Path BUNDLED = Path.of("data/fashion-mnist-10k");

    private static Dataset bundled;

    private TestData() {}

    public static synchronized Dataset bundled() {
        if (bundled == null) {
            bundled = IdxReader.readDirectory(BUNDLED);
        }
        return bundled;
    }

    /** The first {@code perClass} images of every class of the bundled set, in their original order. */
    public static Dataset bundledSlice(int perClass) {
        Dataset all = bundled();
        int[] taken = new int[all.classes()];
        int[] idx = java.util.stream.IntStream.range(0, all.size())
                .filter(i -> taken[all.labels()[i]]++ < perClass)
                .toArray();
        return all.select(idx);
    }

    /** Writes {@code data} as {@code <prefix>-images-idx3-ubyte[.gz]} and the matching labels file. */
    public static Path writeIdx(Dataset data, Path dir, String prefix, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String suffix = gzip ? ".gz" : "";
        Path images = dir.resolve(prefix + "-images-idx3-ubyte" + suffix);
        try (DataOutputStream out = new DataOutputStream(open(images, gzip))) {
            out.writeInt(0x00000803);
            out.writeInt(data.size());
            out.writeInt(data.height());
            out.writeInt(data.width());
            for (float p : data.pixels()) {
                out.write(Math.round(p * 255));
            }
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), gzip))) {
            out.writeInt(0x00000801);
            out.writeInt(data.size());
            for (int l : data.labels()) {
                out.write(l);
            }
        }
        return images;
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(out) : out;
    }
}
