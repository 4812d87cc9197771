package io.isofold.worker.train;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A replicate's checkpoint directory, kept across its attempts: {@code checkpoint-NNNNNNNN.bin} files numbered
 * in the order they were saved, at most two of them (the newest and the one before), and a {@code lock} file.
 *
 * <p>A checkpoint is written whole to {@code checkpoint-NNNNNNNN.bin.tmp} beside them, forced to disk, then
 * renamed, and the directory forced, so that a kill at any moment leaves the earlier checkpoints as they were
 * and at most a temp file, which is never read. Older checkpoints are deleted before the rename, so there are
 * never more than two. A save that fails (a full disk) costs one line on stderr; the training goes on, and
 * the last good checkpoint stays.
 *
 * <p>The lock is held for as long as the worker lives (the system releases it when the process dies, however
 * it dies): a worker that starts while another of the same replicate is still saving, such as one orphaned
 * by a supervisor that was killed, waits for it to finish and then reads what it saved.
 */
final class CheckpointStore implements AutoCloseable {
    static final String LOCK = "lock";
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d{1,18})\\.bin");
    private static final Pattern TEMP = Pattern.compile("checkpoint-(\\d{1,18})\\.bin\\.tmp");
    private static final long LOCK_POLL_MILLIS = 100;

    private final Path dir;
    private final FileChannel lockChannel;
    private final Consumer<String> log;
    private long next;
    /** The checkpoint loaded or saved last, which a save keeps beside the new one; null when none. */
    private Path lastGood;

    private CheckpointStore(Path dir, FileChannel lockChannel, Consumer<String> log) throws IOException {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.log = log;
        long highest = 0;
        for (Path p : files()) {
            highest = Math.max(highest, number(p));
        }
        next = highest + 1;
    }

    /**
     * Opens {@code dir} (creating it if need be), waiting up to {@code lockWait} for another process of the same
     * replicate that holds it; null, after a line on {@code log}, when it cannot be used: the training then goes
     * without checkpoints.
     */
    static CheckpointStore open(Path dir, Duration lockWait, Consumer<String> log) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + lockWait.toNanos();
            boolean said = false;
            FileLock lock;
            while ((lock = channel.tryLock()) == null) {
                if (System.nanoTime() > deadline) {
                    log.accept("checkpoint directory " + dir + " is still locked by another process after "
                            + lockWait.toSeconds() + " s: training without checkpoints");
                    channel.close();
                    return null;
                }
                if (!said) {
                    log.accept("checkpoint directory " + dir + " is locked by another process (an earlier attempt "
                            + "saving?): waiting for it");
                    said = true;
                }
                Thread.sleep(LOCK_POLL_MILLIS);
            }
            return new CheckpointStore(dir, channel, log);
        } catch (IOException | RuntimeException e) {
            log.accept("cannot use checkpoint directory " + dir + " (" + e + "): training without checkpoints");
            closeQuietly(channel);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            return null;
        }
    }

    /** A checkpoint and the file it came from. */
    record Loaded(Checkpoint checkpoint, Path file) {}

    /**
     * The newest checkpoint that reads whole and for which {@code problem} finds nothing, else the one before it,
     * and so on; null when none does. Each one passed over is named on {@code log} with the reason.
     */
    Loaded load(Function<Checkpoint, String> problem) {
        List<Path> found;
        try {
            found = files().stream().filter(p -> CHECKPOINT.matcher(name(p)).matches())
                    .sorted(Comparator.comparingLong(CheckpointStore::number).reversed()).toList();
        } catch (IOException e) {
            log.accept("cannot list checkpoint directory " + dir + " (" + e + "): training starts from the beginning");
            return null;
        }
        if (found.isEmpty()) {
            log.accept("no checkpoint in " + dir + ": training starts from the beginning");
            return null;
        }
        for (int i = 0; i < found.size(); i++) {
            Path file = found.get(i);
            String why;
            try {
                Checkpoint c = Checkpoint.read(Files.readAllBytes(file));
                why = problem.apply(c);
                if (why == null) {
                    lastGood = file;
                    if (i > 0) {
                        log.accept("falling back to the previous checkpoint, " + name(file));
                    }
                    return new Loaded(c, file);
                }
            } catch (Checkpoint.Invalid e) {
                why = e.getMessage();
            } catch (IOException | OutOfMemoryError e) {
                why = "unreadable (" + e + ")";
            }
            log.accept("checkpoint " + file + " not used: " + why);
        }
        log.accept("no usable checkpoint in " + dir + " (" + found.size() + " refused): training starts from the beginning");
        return null;
    }

    /**
     * Writes {@code c} whole and renames it into place, keeping the last good checkpoint and deleting every other
     * one. False, after a line on {@code log}, when that failed; the checkpoints there were stay as they were.
     */
    boolean save(Checkpoint c) {
        Path target = dir.resolve(String.format(java.util.Locale.ROOT, "checkpoint-%08d.bin", next));
        Path tmp = target.resolveSibling(name(target) + ".tmp");
        next++;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                c.write(out);
                out.flush();
                ch.force(true);
            }
            for (Path p : files()) {
                if (!p.equals(lastGood) && !p.equals(tmp)) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        log.accept("cannot delete the old checkpoint " + p + " (" + e + ")");
                    }
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory();
            lastGood = target;
            return true;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next save's clean-up deletes it
            }
            log.accept("checkpoint at step " + c.step() + " not saved (" + e + "); training goes on, the last good "
                    + "checkpoint is " + (lastGood == null ? "none" : name(lastGood)));
            return false;
        }
    }

    /** Checkpoints and temp files of this store in the directory, whatever their state. */
    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> CHECKPOINT.matcher(name(p)).matches()
                    || TEMP.matcher(name(p)).matches()).toList());
        }
    }

    /** After a rename: without it a crash of the machine could lose the rename, or bring back a deleted file. */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened; the rename itself is done
        }
    }

    private static long number(Path p) {
        Matcher m = CHECKPOINT.matcher(name(p));
        if (!m.matches()) {
            m = TEMP.matcher(name(p));
            if (!m.matches()) {
                return 0;
            }
        }
        return Long.parseLong(m.group(1));
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }

    /** Releases the lock; the process's end would release it too. */
    @Override
    public void close() {
        closeQuietly(lockChannel);
    }
}
