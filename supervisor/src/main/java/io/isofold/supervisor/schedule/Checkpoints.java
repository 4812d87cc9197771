package io.isofold.supervisor.schedule;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The replicates' checkpoint directories ({@code replicates/<r>/checkpoint}, the worker's
 * {@code ISOFOLD_CHECKPOINT_DIR}): kept across a replicate's attempts so that a retry continues where the
 * last attempt got to, emptied for every attempt with {@code --no-continue}, and removed once the replicate
 * completed unless {@code --keep-checkpoints}. The worker owns what is inside; this looks only at names,
 * sizes and modification times.
 *
 * <p>A checkpoint that two attempts in a row failed from without changing it (neither got far enough to
 * write a newer one) is set aside, renamed {@code checkpoint.set-aside} for the post-mortem, and the next
 * attempt starts fresh: a checkpoint that crashes every worker that loads it must not eat the retries.
 *
 * <p>The run loop's thread only. What it remembers of the attempts is lost with the supervisor: a resumed run
 * gives a checkpoint its two tries again.
 */
final class Checkpoints {
    /** Failed attempts in a row from an unchanged checkpoint before it is set aside. */
    static final int POISONED_AFTER = 2;
    static final String SET_ASIDE = RunFiles.CHECKPOINTS + ".set-aside";

    /** What an attempt's directory held when it was launched. */
    enum Given {
        /** Nothing: a fresh start. */
        NONE,
        /** An earlier attempt's checkpoint, to continue from. */
        KEPT,
        /** The checkpoint was set aside as poisoned: a fresh start. */
        SET_ASIDE,
        /** --no-continue emptied it: a fresh start. */
        EMPTIED;

        /** The journal's word for it. */
        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private record Seen(String fingerprint, int failuresFromIt) {}

    private final RunFiles files;
    private final boolean continueAttempts;
    private final boolean keep;
    private final Map<Integer, String> givenFingerprint = new HashMap<>();
    private final Map<Integer, Seen> seen = new HashMap<>();

    Checkpoints(RunFiles files, boolean continueAttempts, boolean keep) {
        this.files = files;
        this.continueAttempts = continueAttempts;
        this.keep = keep;
    }

    /** Makes the replicate's directory what its next attempt is to get, and says what that is. */
    Given prepare(int replicate) throws IOException {
        Path dir = files.checkpoints(replicate);
        Files.createDirectories(dir);
        String now = fingerprint(dir);
        Given given;
        if (now.isEmpty()) {
            given = Given.NONE;
        } else if (!continueAttempts) {
            clear(dir);
            given = Given.EMPTIED;
        } else if (seen.containsKey(replicate) && seen.get(replicate).fingerprint().equals(now)
                && seen.get(replicate).failuresFromIt() >= POISONED_AFTER) {
            Path aside = dir.resolveSibling(SET_ASIDE);
            if (Files.exists(aside)) {
                MoreFiles.deleteRecursively(aside, RecursiveDeleteOption.ALLOW_INSECURE); // only the latest is kept
            }
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
            Files.createDirectories(dir);
            seen.remove(replicate);
            given = Given.SET_ASIDE;
        } else {
            given = Given.KEPT;
        }
        givenFingerprint.put(replicate, fingerprint(dir));
        return given;
    }

    /**
     * An attempt of the replicate ended. A failure that left the checkpoint it was given as it was counts
     * towards setting it aside; a completed replicate's checkpoints go (unless kept).
     */
    void ended(int replicate, Verdict verdict) throws IOException {
        Path dir = files.checkpoints(replicate);
        String given = givenFingerprint.remove(replicate);
        if (verdict == Verdict.COMPLETED) {
            seen.remove(replicate);
            if (!keep) {
                for (Path p : List.of(dir, dir.resolveSibling(SET_ASIDE))) {
                    if (Files.exists(p)) {
                        MoreFiles.deleteRecursively(p, RecursiveDeleteOption.ALLOW_INSECURE);
                    }
                }
            }
            return;
        }
        if (!verdict.countsAgainstReplicate() || given == null || given.isEmpty()) {
            return; // a stop, a lost node or supervisor says nothing of the checkpoint; nor does a fresh start
        }
        String now = fingerprint(dir);
        Seen before = seen.get(replicate);
        if (!now.equals(given)) {
            seen.remove(replicate); // it got further, and wrote a newer checkpoint
        } else {
            seen.put(replicate, new Seen(now, before != null && before.fingerprint().equals(now)
                    ? before.failuresFromIt() + 1 : 1));
        }
    }

    /** Names, sizes and modification times of what the directory holds; "" when it holds nothing or is gone. */
    static String fingerprint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (Stream<Path> all = Files.walk(dir)) {
            // an empty file (a lock, a marker) holds no checkpoint: only what holds data tells progress
            for (Path p : all.filter(f -> Files.isRegularFile(f) && size(f) > 0).sorted().toList()) {
                b.append(dir.relativize(p)).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // a file removed while listed: the worker of another attempt is still writing
        }
        return b.toString();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException gone) {
            return 0;
        }
    }

    private static void clear(Path dir) throws IOException {
        MoreFiles.deleteDirectoryContents(dir, RecursiveDeleteOption.ALLOW_INSECURE);
    }
}
