package io.isofold.supervisor.outcome;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import io.isofold.supervisor.journal.ContinuedFrom;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the supervisor itself reads of an attempt's progress file: where its worker continued from. */
public final class ProgressFile {
    /** A worker says where it continued from before it trains: near the file's start, however long the file grows. */
    public static final int HEAD_BYTES = 64 * 1024;

    private ProgressFile() {}

    /** The worker's {@code continued} line, or null when it wrote none (a fresh start, or no progress file). */
    public static ContinuedFrom continuedFrom(Path progress) {
        byte[] head;
        try (InputStream in = Files.newInputStream(progress)) {
            head = in.readNBytes(HEAD_BYTES);
        } catch (IOException e) {
            return null;
        }
        for (String line : new String(head, StandardCharsets.UTF_8).split("\n")) {
            if (!line.contains(ProgressEvent.PHASE_CONTINUED)) {
                continue;
            }
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                if (n != null && ProgressEvent.PHASE_CONTINUED.equals(n.path(ProgressEvent.PHASE).asText(null))
                        && n.path(ProgressEvent.EPOCH).canConvertToInt()) {
                    return new ContinuedFrom(n.get(ProgressEvent.EPOCH).asInt(),
                            n.path(ProgressEvent.BATCH).canConvertToInt() ? n.get(ProgressEvent.BATCH).asInt() : null,
                            n.path(ProgressEvent.RESTORED_SECONDS).isNumber() ? n.get(ProgressEvent.RESTORED_SECONDS).asDouble() : null);
                }
            } catch (IOException notJson) {
                // a line cut at the head's end, or a worker's own text: not the line looked for
            }
        }
        return null;
    }
}
