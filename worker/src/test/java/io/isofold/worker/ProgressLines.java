package io.isofold.worker;

import io.isofold.shared.Json;
import io.isofold.shared.ProgressEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A progress file as the tests read it while its worker runs: whole lines only, the last may be half written. */
public final class ProgressLines {
    private ProgressLines() {}

    /** The whole lines; none when the file is not there yet. */
    public static List<String> of(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = Files.readString(file);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }

    /** The whole lines as events. */
    public static List<ProgressEvent> events(Path file) throws IOException {
        List<ProgressEvent> out = new ArrayList<>();
        for (String line : of(file)) {
            out.add(Json.MAPPER.readValue(line, ProgressEvent.class));
        }
        return out;
    }
}
