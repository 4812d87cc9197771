package io.isofold.supervisor.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The validation loss per epoch of one attempt, read from its progress.jsonl.
 *
 * @param points pairs {epoch, val_loss}, in file order
 */
public record LearningCurve(AttemptView attempt, List<double[]> points) {
    public static final String PROGRESS_FILE = "progress.jsonl";

    /** Points kept per curve: more are thinned evenly (a chart has a few hundred pixels anyway). */
    static final int MAX_POINTS = 200;
    /** Longer lines are not epochs of ours (a worker's per-batch dump, garbage): skipped unread. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /**
     * Reads the end-of-epoch lines (no {@code batch}) that carry a finite val_loss; skips every other line.
     * Streamed, and thinned to at most {@value #MAX_POINTS} points: a progress file may be a 90 MB per-batch
     * heartbeat, and the report must not hold it.
     */
    public static LearningCurve read(AttemptView attempt) {
        List<double[]> points = new ArrayList<>();
        if (attempt.attemptDir() == null) {
            return new LearningCurve(attempt, points);
        }
        Path file = attempt.attemptDir().resolve(PROGRESS_FILE);
        int stride = 1;
        long seen = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] line = new byte[1024];
            int length = 0;
            boolean overlong = false;
            for (int b = in.read(); ; b = in.read()) {
                if (b == '\n' || b < 0) {
                    if (!overlong && length > 0) {
                        // decoding with new String replaces malformed bytes: one bad line costs one line
                        String text = new String(line, 0, length, StandardCharsets.UTF_8);
                        double[] point = text.isBlank() || isBatchLine(text) ? null : endOfEpoch(text);
                        if (point != null && seen++ % stride == 0) {
                            points.add(point);
                            if (points.size() > 2 * MAX_POINTS) {
                                thin(points);
                                stride *= 2;
                            }
                        }
                    }
                    if (b < 0) {
                        break;
                    }
                    length = 0;
                    overlong = false;
                } else if (!overlong) {
                    if (length == line.length) {
                        if (length >= MAX_LINE_BYTES) {
                            overlong = true;
                            continue;
                        }
                        line = java.util.Arrays.copyOf(line, length * 2);
                    }
                    line[length++] = (byte) b;
                }
            }
        } catch (IOException missingOrUnreadable) {
            // no progress yet (or a vanished directory): a chart without this line, never a failed report
        }
        return new LearningCurve(attempt, points);
    }

    /** Keeps every other point. */
    private static void thin(List<double[]> points) {
        List<double[]> kept = new ArrayList<>(points.size() / 2 + 1);
        for (int i = 0; i < points.size(); i += 2) {
            kept.add(points.get(i));
        }
        points.clear();
        points.addAll(kept);
    }

    /**
     * {epoch, val_loss} of an end-of-epoch line of {@link ProgressEvent}, or null for a heartbeat within an epoch,
     * a line without a finite val_loss, or one that does not parse (the worker may be writing it right now, or
     * died halfway through it). A streaming read of the two fields: binding every line to the record took most
     * of the report's time with a few hundred attempts.
     */
    static double[] endOfEpoch(String line) {
        Double epoch = null;
        Double valLoss = null;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "batch" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    }
                    case "epoch" -> epoch = value.isNumeric() ? p.getDoubleValue() : null;
                    case "val_loss" -> valLoss = value.isNumeric() ? p.getDoubleValue() : null;
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                return null;
            }
        } catch (IOException unparsable) {
            return null;
        }
        if (epoch == null || valLoss == null || !Double.isFinite(valLoss)) {
            return null;
        }
        return new double[] {epoch, valLoss};
    }

    /**
     * Within-epoch heartbeats can be most of a long file; recognising them without a JSON parse keeps the report
     * cheap. The exact check still happens on the parsed event.
     */
    private static boolean isBatchLine(String line) {
        int i = line.indexOf("\"batch\":");
        if (i < 0) {
            return false;
        }
        int j = i + 8;
        while (j < line.length() && line.charAt(j) == ' ') {
            j++;
        }
        return j < line.length() && Character.isDigit(line.charAt(j));
    }
}
