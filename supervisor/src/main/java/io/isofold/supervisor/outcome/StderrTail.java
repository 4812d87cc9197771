package io.isofold.supervisor.outcome;

import com.google.common.base.Ascii;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last meaningful lines of an attempt's stderr: why it failed, usually, as a traceback's last
 * line says. Reads only the file's end, however long the file is.
 */
public final class StderrTail {
    static final int LINES = 5;
    private static final int WINDOW_BYTES = 16 * 1024;
    private static final int LINE_CHARS = 300;

    private StderrTail() {}

    /** Up to {@value #LINES} non-blank lines, newline-separated; null when the file is empty or unreadable. */
    public static String of(Path stderr) {
        try (RandomAccessFile f = new RandomAccessFile(stderr.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, WINDOW_BYTES);
            if (n == 0) {
                return null;
            }
            byte[] tail = new byte[n];
            f.seek(length - n);
            f.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\r?\n|\r");
            Deque<String> kept = new ArrayDeque<>();
            // the first line of a window that starts mid-file is cut: skip it
            for (int i = lines.length - 1; i >= (length > n ? 1 : 0) && kept.size() < LINES; i--) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    kept.addFirst(Ascii.truncate(line, LINE_CHARS, "..."));
                }
            }
            return kept.isEmpty() ? null : String.join("\n", kept);
        } catch (IOException e) {
            return null;
        }
    }
}
