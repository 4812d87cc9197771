package io.isofold.worker.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Everything a training needs to go on exactly where it was: the network's variables and Adam's state, the
 * best epoch's weights, early stopping's state, the history, and the sums of the epoch under way. The batch
 * order and the dropout masks need nothing stored: both follow from the seed and the step's number.
 *
 * <p>The file: {@code ISOFOLD-CKPT}, the format version, the file's length, a JSON header ({@link Meta}), the
 * arrays (count, then each as a length and big-endian floats), and a CRC-32C of every byte before it. A
 * file that is short, long, or changed anywhere fails the length or the checksum.
 *
 * @param state the values of {@link TrainingGraph#state}, in its order
 * @param best  the best epoch's weights (the network's variables), or empty when they are those of {@code state}
 *              (saved at the end of the best epoch) or there is no best epoch yet
 */
record Checkpoint(Meta meta, float[][] state, float[][] best) {
    static final int FORMAT = 1;
    private static final byte[] MAGIC = "ISOFOLD-CKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK_FLOATS = 16_384;

    /**
     * What a checkpoint was made for: one made for another model, data, split, fold or seed is refused.
     *
     * @param data  a hash of the training and validation images and labels
     * @param state each state variable as {@code name [shape]}
     */
    record Identity(int format, ModelConfig model, int height, int width, int channels, int classes,
                    int trainExamples, int validationExamples, String data, int fold, int folds, long splitSeed,
                    long seed, List<String> state) {}

    /**
     * @param identity  the {@link Identity} it was made for, as JSON
     * @param epochs    whole epochs done
     * @param batch     batches of epoch {@code epochs + 1} done: 0 at an epoch's end, {@code batches} when saved
     *                  between its last batch and its evaluation
     * @param seconds   the seconds of training it embodies
     * @param lossSum   the epoch under way's summed training loss, correct predictions and examples, so that its
     *                  figures come out as an uninterrupted epoch's
     */
    record Meta(JsonNode identity, int epochs, int batch, int batches, double seconds, List<ProgressEvent> history,
                EarlyStopping.State stopping, double lossSum, double correct, int seen, double stepSeconds,
                long stepExamples, double maxRssMib, String device, List<String> tfDevices) {}

    /** The training step this checkpoint was saved after, counted from 0 over the whole training. */
    long step() {
        return (long) meta.epochs() * meta.batches() + meta.batch();
    }

    /** Writes the whole file to {@code out}; the caller makes it durable. */
    void write(OutputStream out) throws IOException {
        byte[] header = Json.MAPPER.writeValueAsBytes(meta);
        long length = MAGIC.length + 4 + 8 + 4 + header.length + arraysLength(state) + arraysLength(best) + 4;
        CRC32C crc = new CRC32C();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
        data.write(MAGIC);
        data.writeInt(FORMAT);
        data.writeLong(length);
        data.writeInt(header.length);
        data.write(header);
        writeArrays(data, state);
        writeArrays(data, best);
        data.flush();
        new DataOutputStream(out).writeInt((int) crc.getValue());
        out.flush();
    }

    /** Reads a whole file; {@link Invalid} says what is wrong with one that is not a whole checkpoint. */
    static Checkpoint read(byte[] file) throws Invalid {
        int minimum = MAGIC.length + 4 + 8 + 4 + 4;
        if (file.length < minimum || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
            throw new Invalid("not a checkpoint (" + file.length + " bytes, no ISOFOLD-CKPT header)");
        }
        ByteBuffer in = ByteBuffer.wrap(file);
        in.position(MAGIC.length);
        int format = in.getInt();
        if (format != FORMAT) {
            throw new Invalid("format " + format + ", this worker reads " + FORMAT);
        }
        long length = in.getLong();
        if (length != file.length) {
            throw new Invalid(file.length + " bytes where its header says " + length + " (torn or truncated)");
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(file, file.length - 4, 4).getInt()) {
            throw new Invalid("checksum mismatch (torn or corrupted)");
        }
        try {
            byte[] header = new byte[in.getInt()];
            in.get(header);
            Meta meta = Json.MAPPER.readValue(header, Meta.class);
            float[][] state = readArrays(in);
            float[][] best = readArrays(in);
            if (in.remaining() != 4 || meta == null || meta.identity() == null || meta.history() == null
                    || meta.stopping() == null) {
                throw new Invalid("malformed contents");
            }
            return new Checkpoint(meta, state, best);
        } catch (IOException | BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new Invalid("malformed contents (" + e.getMessage() + ")");
        }
    }

    /**
     * Why this checkpoint cannot continue a training with {@code identity} and state variables of
     * {@code lengths} (the network's first, {@code weights} of them), or null when it can.
     */
    String problem(JsonNode identity, int[] lengths, int weights) {
        String differs = firstDifference(identity, meta.identity());
        if (differs != null) {
            return "made for another training: " + differs;
        }
        if (!lengthsMatch(state, lengths, lengths.length)) {
            return "its arrays do not fit the model";
        }
        boolean bestIsState = meta.stopping().bestEpoch() == meta.epochs() && meta.batch() == 0;
        boolean noBest = meta.stopping().bestEpoch() < 1;
        if (best.length == 0 ? !(bestIsState || noBest) : !lengthsMatch(best, lengths, weights)) {
            return "its best weights are missing or do not fit the model";
        }
        int batches = meta.batches();
        if (meta.epochs() < 0 || meta.batch() < 0 || meta.batch() > batches || meta.history().size() != meta.epochs()
                || meta.stopping().bestEpoch() > meta.epochs()) {
            return "inconsistent position (epoch " + meta.epochs() + ", batch " + meta.batch() + " of " + batches + ")";
        }
        return null;
    }

    /** The first field whose value differs, as {@code fold: 2 here, 1 in the checkpoint}; null when none does. */
    static String firstDifference(JsonNode expected, JsonNode actual) {
        for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            // compared as written: a long read back as an int node is still the same number
            String e = expected.get(name).toString();
            String a = actual.has(name) ? actual.get(name).toString() : "absent";
            if (!e.equals(a)) {
                return name + ": " + abbreviate(e) + " here, " + abbreviate(a) + " in the checkpoint";
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    private static boolean lengthsMatch(float[][] arrays, int[] lengths, int count) {
        if (arrays.length != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (arrays[i].length != lengths[i]) {
                return false;
            }
        }
        return true;
    }

    private static long arraysLength(float[][] arrays) {
        long n = 4;
        for (float[] a : arrays) {
            n += 4 + 4L * a.length;
        }
        return n;
    }

    private static void writeArrays(DataOutputStream out, float[][] arrays) throws IOException {
        out.writeInt(arrays.length);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * 4);
        for (float[] a : arrays) {
            out.writeInt(a.length);
            for (int from = 0; from < a.length; from += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, a.length - from);
                chunk.clear();
                chunk.asFloatBuffer().put(a, from, n);
                out.write(chunk.array(), 0, n * 4);
            }
        }
    }

    private static float[][] readArrays(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > in.remaining() / 4) {
            throw new IllegalArgumentException("bad array count " + count);
        }
        float[][] arrays = new float[count][];
        for (int i = 0; i < count; i++) {
            int n = in.getInt();
            if (n < 0 || n > in.remaining() / 4) {
                throw new IllegalArgumentException("bad array length " + n);
            }
            arrays[i] = new float[n];
            in.asFloatBuffer().get(arrays[i]);
            in.position(in.position() + 4 * n);
        }
        return arrays;
    }

    /** A file that is not a whole, readable checkpoint. */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason);
        }
    }
}
