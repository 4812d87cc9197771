package io.isofold.shared;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file in one step, so a reader (the supervisor reading a result, a standby waiting for its
 * handoff, a browser reloading report.html) sees the old or the new file, never half of one, even if
 * the writer is killed mid-write. The one way both sides write a file another process reads.
 */
public final class AtomicFiles {
    /** What a writer of the file's bytes does with the stream it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The text of a file, written to {@code out} (buffered, UTF-8, closed by {@link #writeText}). */
    @FunctionalInterface
    public interface Text {
        void writeTo(Writer out) throws IOException;
    }

    private AtomicFiles() {}

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes {@code value} as JSON in the project's dialect ({@link Json#MAPPER}), indented. */
    public static void writeJson(Path target, Object value) throws IOException {
        write(target, out -> Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, value));
    }

    /** As {@link #writeString}, for a text written piece by piece and never held whole (results.csv). */
    public static void writeText(Path target, Text text) throws IOException {
        write(target, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            text.writeTo(w);
            w.flush();
        });
    }

    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // same directory: a rename within one file system is atomic, across file systems it is a copy.
        // Not Files.createTempFile, which makes the file 0600: results are for colleagues to read too, so the
        // file gets the permissions of the user's umask, like any file the user makes.
        // The random part only keeps two writers of one file apart (CREATE_NEW refuses a name in use): no
        // SecureRandom, whose set-up cost 25 to 40 ms of the supervisor's start.
        String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path temp = dir.resolve("." + target.getFileName() + "." + random + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                content.writeTo(out); // a second close, by Jackson, is harmless
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
