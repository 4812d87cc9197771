package io.isofold.worker.data;

import io.isofold.worker.BadTaskException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads CSV with one image per line: the integer label, then the pixels (0 to 255) of a square grayscale
 * image row by row, as in Kaggle's MNIST and Fashion-MNIST CSVs. A header line is allowed.
 */
public final class CsvReader {
    private CsvReader() {}

    public static Dataset read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadTaskException("CSV file " + file + " does not exist");
        }
        FloatList pixels = new FloatList();
        IntList labels = new IntList();
        int fields = -1;
        int fieldsLine = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",", -1);
                if (lineNo == 1 && !isNumber(parts[0].trim())) {
                    continue; // a header
                }
                if (fields < 0) {
                    fields = parts.length;
                    fieldsLine = lineNo;
                } else if (parts.length != fields) {
                    throw new BadTaskException(file.getFileName() + " line " + lineNo + " has " + (parts.length - 1)
                            + " pixels, line " + fieldsLine + " has " + (fields - 1) + ": images differ in size");
                }
                labels.add(parseLabel(parts[0].trim(), file, lineNo));
                for (int i = 1; i < parts.length; i++) {
                    pixels.add(parsePixel(parts[i].trim(), file, lineNo, i));
                }
            }
        } catch (IOException e) {
            throw new BadTaskException("cannot read CSV file " + file + " (truncated or corrupt?): " + e.getMessage());
        }
        if (labels.size == 0) {
            throw new BadTaskException("CSV file " + file + " holds no examples");
        }
        int count = fields - 1;
        int side = (int) Math.round(Math.sqrt(count));
        if (count == 0 || side * side != count) {
            throw new BadTaskException(file.getFileName() + " rows have " + count
                    + " pixels, which is not a square image");
        }
        int max = 0;
        for (int i = 0; i < labels.size; i++) {
            max = Math.max(max, labels.data[i]);
        }
        return new Dataset(side, side, 1, pixels.toArray(), labels.toArray(), max + 1);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int parseLabel(String s, Path file, int line) {
        try {
            int label = Integer.parseInt(s);
            if (label < 0) {
                throw new NumberFormatException();
            }
            return label;
        } catch (NumberFormatException e) {
            throw new BadTaskException(file.getFileName() + " line " + line + ": label '" + s
                    + "' is not a non-negative integer");
        }
    }

    private static float parsePixel(String s, Path file, int line, int column) {
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new BadTaskException(file.getFileName() + " line " + line + " column " + (column + 1)
                    + ": pixel '" + s + "' is not a number");
        }
        if (!(v >= 0 && v <= 255)) {
            throw new BadTaskException(file.getFileName() + " line " + line + " column " + (column + 1)
                    + ": pixel " + s + " is outside 0..255");
        }
        return (float) (v / 255.0);
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** Growable primitive arrays: a 60,000-row CSV would be 47 million boxed Floats otherwise. */
    private static final class FloatList {
        float[] data = new float[1 << 16];
        int size;

        void add(float v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }

    private static final class IntList {
        int[] data = new int[1 << 10];
        int size;

        void add(int v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
