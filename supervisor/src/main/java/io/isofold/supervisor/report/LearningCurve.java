package io.isofold.supervisor.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.ContinuedFrom;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The figures per epoch of one attempt, read from its progress.jsonl: every number its end-of-epoch lines
 * report ({@code val_loss}, {@code val_accuracy}, {@code loss}, a custom worker's {@code val_rmse}...), and
 * where its worker continued from, when it wrote that.
 *
 * @param series        metric to its {epoch, value} pairs, in file order; metrics in the order first seen
 * @param continuedFrom the worker's {@code continued} line, or null
 */
public record LearningCurve(AttemptView attempt, Map<String, List<double[]>> series, ContinuedFrom continuedFrom) {
    public static final String PROGRESS_FILE = "progress.jsonl";

    /** Points kept per curve: more are thinned evenly (a chart has a few hundred pixels anyway). */
    static final int MAX_POINTS = 200;
    /** Longer lines are not epochs of ours (a worker's per-batch dump, garbage): skipped unread. */
    static final int MAX_LINE_BYTES = 64 * 1024;
    /** Metrics kept per attempt, the first its lines name: a line of thousands of figures is not a curve to draw. */
    static final int MAX_SERIES = 8;
    /** A longer name is not a metric to draw. */
    private static final int MAX_NAME_CHARS = 200;
    /** Fields of a progress line that are not figures of the model: when, where, how far. */
    private static final Set<String> NOT_METRICS = Set.of(ProgressEvent.EPOCH, ProgressEvent.BATCH, ProgressEvent.BATCHES,
            ProgressEvent.SECONDS, ProgressEvent.PHASE, ProgressEvent.RESTORED_SECONDS, "epochs", "step", "steps", "time", "timestamp");

    /** The validation loss per epoch: {epoch, val_loss}. */
    public List<double[]> points() {
        return points(ProgressEvent.VAL_LOSS);
    }

    public List<double[]> points(String metric) {
        return series.getOrDefault(metric, List.of());
    }

    /**
     * Reads the end-of-epoch lines (no {@code batch}, no {@code phase}) and the worker's {@code continued}
     * line; skips every other line. Streamed, and thinned to at most {@value #MAX_POINTS} points: a progress
     * file may be a 90 MB per-batch heartbeat, and the report must not hold it.
     */
    public static LearningCurve read(AttemptView attempt) {
        Reading r = new Reading();
        if (attempt.attemptDir() == null) {
            return new LearningCurve(attempt, Map.of(), null);
        }
        Path file = attempt.attemptDir().resolve(PROGRESS_FILE);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] line = new byte[1024];
            int length = 0;
            boolean overlong = false;
            for (int b = in.read(); ; b = in.read()) {
                if (b == '\n' || b < 0) {
                    if (!overlong && length > 0) {
                        // decoding with new String replaces malformed bytes: one bad line costs one line
                        String text = new String(line, 0, length, StandardCharsets.UTF_8);
                        if (!text.isBlank() && !isBatchLine(text)) {
                            r.line(text);
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
                        line = Arrays.copyOf(line, length * 2);
                    }
                    line[length++] = (byte) b;
                }
            }
        } catch (IOException missingOrUnreadable) {
            // no progress yet (or a vanished directory): a chart without this line, never a failed report
        }
        return new LearningCurve(attempt, r.series(), r.continued);
    }

    /** A file being read: the epochs kept so far, each {epoch, value of series 0, value of series 1...}. */
    private static final class Reading {
        final List<String> names = new ArrayList<>();
        final List<double[]> rows = new ArrayList<>();
        int stride = 1;
        long seen;
        ContinuedFrom continued;

        void line(String text) {
            double[] row = new double[1 + MAX_SERIES];
            Arrays.fill(row, Double.NaN);
            if (!parse(text, row) || seen++ % stride != 0) {
                return;
            }
            rows.add(row);
            if (rows.size() > 2 * MAX_POINTS) {
                List<double[]> kept = new ArrayList<>(rows.size() / 2 + 1);
                for (int i = 0; i < rows.size(); i += 2) {
                    kept.add(rows.get(i));
                }
                rows.clear();
                rows.addAll(kept);
                stride *= 2;
            }
        }

        /**
         * Fills {@code row} from an end-of-epoch line; false for a heartbeat within an epoch, a phase line, a line
         * without an epoch or a finite figure, or one that does not parse (the worker may be writing it right now,
         * or died halfway through it). A streaming read: binding every line to a record took most of the
         * report's time with a few hundred attempts.
         */
        boolean parse(String text, double[] row) {
            boolean figures = false;
            String phase = null;
            Integer batch = null;
            Double restored = null;
            try (JsonParser p = Json.MAPPER.getFactory().createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return false;
                }
                for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals(ProgressEvent.BATCH)) {
                        if (value.isNumeric()) {
                            batch = p.getIntValue();
                        } else if (value != JsonToken.VALUE_NULL) {
                            return false;
                        }
                    } else if (name.equals(ProgressEvent.PHASE)) {
                        phase = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    } else if (name.equals(ProgressEvent.EPOCH)) {
                        row[0] = value.isNumeric() ? p.getDoubleValue() : Double.NaN;
                    } else if (name.equals(ProgressEvent.RESTORED_SECONDS) && value.isNumeric()) {
                        restored = p.getDoubleValue();
                    } else if (value.isNumeric() && !NOT_METRICS.contains(name) && name.length() <= MAX_NAME_CHARS) {
                        int i = names.indexOf(name);
                        if (i < 0 && names.size() < MAX_SERIES) {
                            names.add(name);
                            i = names.size() - 1;
                        }
                        double v = p.getDoubleValue();
                        if (i >= 0 && Double.isFinite(v)) {
                            row[1 + i] = v;
                            figures = true;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                if (p.currentToken() != JsonToken.END_OBJECT) {
                    return false;
                }
            } catch (IOException unparsable) {
                return false;
            }
            if (ProgressEvent.PHASE_CONTINUED.equals(phase)) {
                if (continued == null && !Double.isNaN(row[0])) {
                    continued = new ContinuedFrom((int) row[0], batch, restored);
                }
                return false;
            }
            return phase == null && batch == null && figures && !Double.isNaN(row[0]);
        }

        Map<String, List<double[]>> series() {
            Map<String, List<double[]>> series = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                List<double[]> points = new ArrayList<>();
                for (double[] row : rows) {
                    if (!Double.isNaN(row[1 + i])) {
                        points.add(new double[] {row[0], row[1 + i]});
                    }
                }
                if (!points.isEmpty()) {
                    series.put(names.get(i), points);
                }
            }
            return series;
        }
    }

    /**
     * Within-epoch heartbeats can be most of a long file; recognising them without a JSON parse keeps the report
     * cheap. The exact check still happens on the parsed line.
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
        // the continued line has a batch too, and is read
        return j < line.length() && Character.isDigit(line.charAt(j)) && !line.contains(ProgressEvent.PHASE_CONTINUED);
    }
}
