package io.isofold.supervisor.report;

import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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

    /**
     * Reads the end-of-epoch lines (no {@code batch}) that carry a finite val_loss. Lines that do not parse are
     * skipped: the worker may be writing the last one right now, or may have died halfway through it.
     */
    public static LearningCurve read(AttemptView attempt) {
        List<double[]> points = new ArrayList<>();
        if (attempt.attemptDir() == null) {
            return new LearningCurve(attempt, points);
        }
        Path file = attempt.attemptDir().resolve(PROGRESS_FILE);
        // an InputStreamReader replaces malformed bytes instead of throwing, so one bad line costs one line
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank() || isBatchLine(line)) {
                    continue;
                }
                ProgressEvent e;
                try {
                    e = Json.MAPPER.readValue(line, ProgressEvent.class);
                } catch (IOException unparsable) {
                    continue;
                }
                if (e != null && e.endOfEpoch() && e.valLoss() != null && Double.isFinite(e.valLoss())) {
                    points.add(new double[] {e.epoch(), e.valLoss()});
                }
            }
        } catch (IOException missingOrUnreadable) {
            // no progress yet (or a vanished directory): a chart without this line, never a failed report
        }
        return new LearningCurve(attempt, points);
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
