package io.isofold.supervisor.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import java.io.IOException;
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

    /** Reads the end-of-epoch lines (no {@code batch}) that carry a finite val_loss; skips every other line. */
    public static LearningCurve read(AttemptView attempt) {
        List<double[]> points = new ArrayList<>();
        if (attempt.attemptDir() == null) {
            return new LearningCurve(attempt, points);
        }
        Path file = attempt.attemptDir().resolve(PROGRESS_FILE);
        String text;
        try {
            // decoding with new String replaces malformed bytes instead of throwing: one bad line costs one line
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException missingOrUnreadable) {
            // no progress yet (or a vanished directory): a chart without this line, never a failed report
            return new LearningCurve(attempt, points);
        }
        for (int start = 0, end; start < text.length(); start = end + 1) {
            end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end);
            if (line.isBlank() || isBatchLine(line)) {
                continue;
            }
            double[] point = endOfEpoch(line);
            if (point != null) {
                points.add(point);
            }
        }
        return new LearningCurve(attempt, points);
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
