package io.isofold.supervisor.schedule;

import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.ContinuedFrom;
import io.isofold.supervisor.outcome.ProgressFile;
import io.isofold.supervisor.progress.ProgressSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the running attempts that were given a checkpoint continued from, for the live line: "continuing" from
 * their launch, then the epoch once their worker has written its {@code continued} progress line. The line comes
 * a few seconds after the worker starts, so its progress file is looked at every few seconds until it is there,
 * or until the file has grown past the head where that line is written (a worker that started afresh anyway).
 *
 * <p>The run loop's thread only.
 */
final class ContinuedLookup {
    private static final long RECHECK_NANOS = 5_000_000_000L;

    private static final class Watched {
        final Path progress;
        long nextLook;
        String label = ProgressSnapshot.Running.CONTINUING;
        boolean settled;

        Watched(Path progress) {
            this.progress = progress;
        }
    }

    private final Map<AttemptId, Watched> watched = new HashMap<>();

    /** An attempt was launched; {@code kept}: its replicate's checkpoint directory held a checkpoint. */
    void launched(AttemptId id, Path progress, boolean kept) {
        if (kept) {
            watched.put(id, new Watched(progress));
        }
    }

    void ended(AttemptId id) {
        watched.remove(id);
    }

    /** {@code e4}, {@code e4.120} (epoch 4, batch 120), {@code continuing}, or null for a fresh start. */
    String label(AttemptId id, long nowNanos) {
        Watched w = watched.get(id);
        if (w == null) {
            return null;
        }
        if (!w.settled && nowNanos - w.nextLook >= 0) {
            w.nextLook = nowNanos + RECHECK_NANOS;
            ContinuedFrom from = ProgressFile.continuedFrom(w.progress);
            if (from != null) {
                w.label = "e" + from.epoch() + (from.batch() != null && from.batch() > 0 ? "." + from.batch() : "");
                w.settled = true;
            } else if (size(w.progress) > ProgressFile.HEAD_BYTES) {
                w.settled = true; // past the head without the line: it will not come, and "continuing" stays
            }
        }
        return w.label;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException notYet) {
            return 0;
        }
    }
}
