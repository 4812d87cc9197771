package io.isofold.supervisor.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file in one step, so a reader (a browser reloading report.html, a script polling summary.json)
 * sees the old or the new file, never half of one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The text of a file, written to {@code out} (buffered, UTF-8, closed by {@link #write}). */
    @FunctionalInterface
    public interface Content {
        void writeTo(Writer out) throws IOException;
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content));
    }

    /** As {@link #writeString}, for a file written piece by piece and never held whole (results.csv). */
    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // same directory: a rename within one file system is atomic, across file systems it is a copy.
        // Not Files.createTempFile, which makes the file 0600: results are for colleagues to read too, so the
        // file gets the permissions of the user's umask, like any file the user makes.
        // The random part only keeps two writers of one file apart (CREATE_NEW refuses a name in use): no
        // SecureRandom, whose set-up cost 25 to 40 ms of the start (run.json is written before the first
        // journal line).
        String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path temp = dir.resolve("." + target.getFileName() + "." + random + ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                content.writeTo(out);
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
