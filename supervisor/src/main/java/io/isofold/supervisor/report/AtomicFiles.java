package io.isofold.supervisor.report;

import java.io.IOException;
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

    public static void writeString(Path target, String content) throws IOException {
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
            Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
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
