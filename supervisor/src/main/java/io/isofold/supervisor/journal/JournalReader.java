package io.isofold.supervisor.journal;

import io.isofold.shared.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a journal back, skipping (and reporting) lines a crash tore or garbled instead of refusing it. */
public final class JournalReader {

    public record Contents(List<JournalEvent> events, List<String> warnings) {}

    private JournalReader() {}

    public static Contents read(Path file) throws IOException {
        List<JournalEvent> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Contents(events, warnings);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                JournalEvent e = Json.MAPPER.readValue(line, JournalEvent.class);
                if (e.type() == null) {
                    throw new IOException("no type");
                }
                events.add(e);
            } catch (IOException | RuntimeException e) {
                warnings.add("journal line " + (i + 1) + " is unreadable and was skipped"
                        + (i == lines.size() - 1 ? " (torn by a crash while it was written)" : "") + ": "
                        + abbreviate(line));
            }
        }
        return new Contents(events, warnings);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
