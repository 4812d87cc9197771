package io.isofold.supervisor.journal;

import com.google.common.base.Ascii;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectReader;
import io.isofold.shared.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a journal back in one streaming pass, never holding more than one line. A line that does
 * not parse (torn by a crash while it was written, cut inside a multi-byte character, garbled) is
 * skipped and reported, never a reason to refuse the run: lines are split on bytes, and each is
 * parsed on its own, so a broken one cannot spoil its neighbours.
 */
public final class JournalReader {
    /**
     * A line longer than this is not an event of ours; it is skipped without being held whole. The
     * longest of ours is an attempt's end with the most metrics a result may have, each with the
     * longest name, escaped (ResultCheck): about 12 MiB.
     */
    static final int MAX_LINE_BYTES = 16 << 20;

    /**
     * Without Jackson's canonical field names: it interns every name it sees, and a table past a few
     * thousand names is not kept from one line to the next, so an attempt's end with 10,000 metrics
     * interned them all anew, line after line. The metrics' names are
     * shared once read ({@link MetricValues}), the events' own names are few.
     */
    private static final ObjectReader EVENTS = Json.MAPPER.copyWith(Json.MAPPER.getFactory().rebuild()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build()).readerFor(JournalEvent.class);

    private JournalReader() {}

    /**
     * Hands every readable event to {@code sink}, in order.
     *
     * @return warnings, one line each, about skipped lines; empty when the journal is clean or absent
     */
    public static List<String> read(Path file, Consumer<JournalEvent> sink) throws IOException {
        List<String> warnings = new ArrayList<>();
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException absent) {
            return warnings;
        }
        try (InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            byte[] line = new byte[4096];
            int length = 0;
            boolean overlong = false;
            long number = 0;
            for (int b = in.read(); ; b = in.read()) {
                if (b == '\n' || b < 0) {
                    if (length > 0 || overlong) {
                        number++;
                        boolean last = b < 0;
                        if (overlong) {
                            warnings.add("journal line " + number + " is longer than " + (MAX_LINE_BYTES >> 20)
                                    + " MiB and was skipped");
                        } else {
                            parse(line, length, number, last, sink, warnings);
                        }
                    } else if (b == '\n') {
                        number++;
                    }
                    if (b < 0) {
                        return warnings;
                    }
                    length = 0;
                    overlong = false;
                    continue;
                }
                if (overlong) {
                    continue;
                }
                if (length == line.length) {
                    if (length >= MAX_LINE_BYTES) {
                        overlong = true;
                        continue;
                    }
                    line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, length * 2));
                }
                line[length++] = (byte) b;
            }
        }
    }

    private static void parse(byte[] line, int length, long number, boolean last, Consumer<JournalEvent> sink,
            List<String> warnings) {
        if (isBlank(line, length)) {
            return;
        }
        try {
            JournalEvent e = EVENTS.readValue(line, 0, length);
            if (e == null) {
                throw new IOException("empty");
            }
            sink.accept(e);
        } catch (IOException | RuntimeException e) {
            warnings.add("journal line " + number + " is unreadable and was skipped"
                    + (last ? " (torn by a crash while it was written)" : "") + ": " + abbreviate(line, length));
        }
    }

    private static boolean isBlank(byte[] line, int length) {
        for (int i = 0; i < length; i++) {
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    /** The start of the line as text; malformed bytes (a character cut in two) shown as U+FFFD. */
    private static String abbreviate(byte[] line, int length) {
        String s = new String(line, 0, Math.min(length, 240), StandardCharsets.UTF_8);
        return Ascii.truncate(s, 80, "...");
    }
}
