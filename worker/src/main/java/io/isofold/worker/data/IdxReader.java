package io.isofold.worker.data;

import io.isofold.worker.BadTaskException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST: an images file (unsigned bytes, N x H x W or
 * N x H x W x C) and a labels file (unsigned bytes, N), each plain or gzip-compressed.
 */
public final class IdxReader {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxReader() {}

    /** True when {@code dir} holds at least one file that looks like IDX images. */
    public static boolean looksLikeIdxDirectory(Path dir) {
        return !imageFiles(dir).isEmpty();
    }

    /**
     * Reads a directory holding images and labels files. The training files ({@code train-*}) are preferred
     * over the test files ({@code t10k-*}): cross-validation splits the training set.
     */
    public static Dataset readDirectory(Path dir) {
        List<Path> images = imageFiles(dir);
        List<Path> train = images.stream().filter(p -> p.getFileName().toString().startsWith("train-")).toList();
        if (train.size() == 1) {
            return read(train.get(0));
        }
        if (train.isEmpty() && images.size() == 1) {
            return read(images.get(0));
        }
        throw new BadTaskException("cannot tell which IDX images file of " + dir + " to read: "
                + (train.isEmpty() ? images : train).stream().map(p -> p.getFileName().toString()).toList());
    }

    /** Reads an images file and the labels file beside it (same name with {@code labels} and {@code idx1}). */
    public static Dataset read(Path imagesFile) {
        String name = imagesFile.getFileName().toString();
        if (!name.contains("images")) {
            throw new BadTaskException("IDX file " + imagesFile + " is not an images file (its name has no 'images')");
        }
        Path labelsFile = imagesFile.resolveSibling(name.replace("images", "labels").replace("idx3", "idx1"));
        return read(imagesFile, labelsFile);
    }

    public static Dataset read(Path imagesFile, Path labelsFile) {
        Idx images = readIdx(imagesFile);
        Idx labels = readIdx(labelsFile);
        if (images.dims.length != 3 && images.dims.length != 4) {
            throw new BadTaskException(imagesFile + " has " + images.dims.length + " dimensions, images need 3 or 4");
        }
        if (labels.dims.length != 1) {
            throw new BadTaskException(labelsFile + " has " + labels.dims.length + " dimensions, labels need 1");
        }
        if (images.dims[0] != labels.dims[0]) {
            throw new BadTaskException(imagesFile.getFileName() + " has " + images.dims[0] + " images but "
                    + labelsFile.getFileName() + " has " + labels.dims[0] + " labels");
        }
        float[] pixels = new float[images.data.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (images.data[i] & 0xFF) / 255f;
        }
        int[] y = new int[labels.data.length];
        int max = 0;
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data[i] & 0xFF;
            max = Math.max(max, y[i]);
        }
        int channels = images.dims.length == 4 ? images.dims[3] : 1;
        return new Dataset(images.dims[1], images.dims[2], channels, pixels, y, max + 1);
    }

    private record Idx(int[] dims, byte[] data) {}

    /**
     * Reads the header, then the data straight into an array of its size: reading the whole file first
     * (readAllBytes) meant three copies of it, 24 MB more to allocate and touch for the bundled images.
     */
    private static Idx readIdx(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadTaskException("IDX file " + file + " does not exist");
        }
        try (InputStream in = open(file)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4 || magic[0] != 0 || magic[1] != 0) {
                throw new BadTaskException(file + " is not an IDX file (bad magic number)");
            }
            if (magic[2] != UNSIGNED_BYTE) {
                throw new BadTaskException(file + " holds IDX type 0x" + Integer.toHexString(magic[2] & 0xFF)
                        + "; only unsigned bytes (0x08) are supported");
            }
            int ndims = magic[3];
            byte[] header = ndims < 1 ? new byte[0] : in.readNBytes(4 * ndims);
            if (ndims < 1 || header.length < 4 * ndims) {
                throw new BadTaskException(file + " is truncated: its header is incomplete");
            }
            ByteBuffer buf = ByteBuffer.wrap(header); // big-endian, as IDX is
            int[] dims = new int[ndims];
            long expected = 1;
            for (int i = 0; i < ndims; i++) {
                dims[i] = buf.getInt();
                if (dims[i] < 0) {
                    throw new BadTaskException(file + " has a negative dimension " + dims[i]);
                }
                expected *= dims[i];
                if (expected > Integer.MAX_VALUE - 8) { // checked as it grows: four large dimensions overflow a long
                    throw new BadTaskException(file + "'s header promises more than " + (Integer.MAX_VALUE - 8)
                            + " bytes of data, more than one array holds");
                }
            }
            byte[] data = in.readNBytes((int) expected);
            if (data.length < expected) {
                throw new BadTaskException(file + " is truncated: its header promises " + expected
                        + " bytes of data, it holds " + data.length);
            }
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) {
                throw new BadTaskException(file + " has " + extra + " bytes after the data its header describes");
            }
            return new Idx(dims, data);
        } catch (EOFException | ZipException e) {
            throw new BadTaskException("IDX file " + file + " is truncated or corrupt (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadTaskException("cannot read IDX file " + file + ": " + e.getMessage());
        }
    }

    /** Opens the file, unzipping it when it starts with the gzip magic number, whatever its name. */
    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static List<Path> imageFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.contains("images") && (n.contains("idx") || n.contains("ubyte"));
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BadTaskException("cannot list " + dir + ": " + e.getMessage());
        }
    }
}
