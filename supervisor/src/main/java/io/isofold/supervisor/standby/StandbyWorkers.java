package io.isofold.supervisor.standby;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import io.isofold.shared.AtomicFiles;
import io.isofold.shared.Handoff;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.LocalAttempt;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.outcome.StderrTail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of standby workers: at most one per slot, started while the slot's attempt runs, so that
 * when the slot frees the next attempt's worker has already started its JVM, loaded its libraries and
 * read the data. A standby becomes that attempt when it is handed the task ({@link Handoff}); it is
 * still a process that runs exactly one attempt.
 *
 * <p>Each standby has a folder {@code <out>/standby/<slot>-<n>/} with its output, the task it was
 * told to expect, and, once handed over, the handoff file. At the handoff its stdout and stderr are
 * hard-linked into the attempt directory (the process keeps writing to the same files), and its
 * {@code exit_status} name is made a link to the attempt's, where the launcher's wrapper will write
 * the status. The folder is removed when the attempt is over or the standby ended unused; a resumed
 * run ends whatever a dead supervisor left there and removes the folder.
 *
 * <p>A standby that does not follow the protocol turns standby workers off for the rest of the run,
 * with one warning: one that exits before its task (a command that ignores ISOFOLD_STANDBY, a crash
 * while loading), and one that writes the expected task's progress or result in its folder (a command
 * that ran the task it was told to expect instead of waiting for its own).
 *
 * <p>Not thread-safe: the run loop's thread owns it. Ends run on the launcher's threads.
 */
final class StandbyWorkers {
    private static final Logger log = LoggerFactory.getLogger(StandbyWorkers.class);
    private static final String HANDOFF = "handoff.json";

    /** A standby handed (or about to be handed) an attempt. */
    record Taken(LocalAttempt handle, Instant since, RunFiles.AttemptFiles files) {}

    /** @param variant the variant it can run, or null for any */
    private record Waiting(LocalAttempt handle, Instant since, RunFiles.AttemptFiles files, String variant) {}

    private final RunFiles run;
    private final WorkerCommand command;
    private final LocalLauncher launcher;
    private final Duration grace;
    /** Whether a standby serves only the variant it was started for (the command names it). */
    private final boolean perVariant;
    private final Map<Integer, Waiting> bySlot = new LinkedHashMap<>();
    private final List<CompletableFuture<?>> ending = new ArrayList<>();
    private int started;
    /** Volatile: an attempt's end, on a launcher's thread, may find that its standby broke the protocol. */
    private volatile boolean off;

    StandbyWorkers(RunFiles run, WorkerCommand command, LocalLauncher launcher, Duration grace) {
        this.run = run;
        this.command = command;
        this.launcher = launcher;
        this.grace = grace;
        this.perVariant = command.variantInCommand();
    }

    /**
     * Keeps a standby for each slot of {@code next} (starting those missing) and ends the others: the
     * slots the run expects nothing more of, quarantined ones, all of them when the run stops.
     */
    void expect(List<LaunchRequest> next) {
        Set<Integer> wanted = new HashSet<>();
        next.forEach(r -> wanted.add(r.slot().id()));
        for (Integer slot : List.copyOf(bySlot.keySet())) {
            Waiting w = bySlot.get(slot);
            String broken = wanted.contains(slot) ? protocolBroken(w) : null;
            if (broken != null) {
                turnOff(broken);
            }
            if (!wanted.contains(slot) || broken != null) {
                end(bySlot.remove(slot));
            }
        }
        for (LaunchRequest r : next) {
            if (!off && !bySlot.containsKey(r.slot().id())) {
                start(r);
            }
        }
    }

    private void start(LaunchRequest expected) {
        Slot slot = expected.slot();
        RunFiles.AttemptFiles files = new RunFiles.AttemptFiles(run.standby().resolve(slot.id() + "-" + (++started)));
        Task task = expected.task().locatedIn(files.dir().toString(), files.progress().toString(),
                files.result().toString());
        try {
            Files.createDirectories(files.dir());
            AtomicFiles.writeJson(files.task(), task);
            LaunchRequest request = command.standbyRequest(task, slot, files, files.dir().resolve(HANDOFF));
            Instant since = Instant.now();
            LocalAttempt handle = launcher.launch(request);
            bySlot.put(slot.id(), new Waiting(handle, since, files, perVariant ? task.model() : null));
        } catch (IOException | RuntimeException e) {
            turnOff("cannot start a standby worker in " + files.dir() + ": " + e.getMessage());
            remove(files.dir());
        }
    }

    /**
     * The slot's standby, taken out of the pool to run {@code variant}'s next attempt; empty when the
     * slot has none, or none that can run it (it then ends), or it has exited or broken the protocol.
     */
    Optional<Taken> take(Slot slot, String variant) {
        Waiting w = bySlot.remove(slot.id());
        if (w == null) {
            return Optional.empty();
        }
        String broken = protocolBroken(w);
        if (broken != null) {
            turnOff(broken);
            end(w);
            return Optional.empty();
        }
        if (w.variant() != null && !w.variant().equals(variant)) {
            end(w); // the command names its variant: this one cannot run another
            return Optional.empty();
        }
        return Optional.of(new Taken(w.handle(), w.since(), w.files()));
    }

    /**
     * Why a waiting standby is of no use, or null: it exited before its task, or it is running the task it
     * was told to expect (its progress or result file appeared in its folder) instead of waiting.
     */
    private static String protocolBroken(Waiting w) {
        for (Path written : List.of(w.files().progress(), w.files().result())) {
            if (Files.exists(written)) {
                return "a standby worker wrote " + written.getFileName() + " before it was given a task: the worker "
                        + "command runs the task in " + RunFiles.AttemptFiles.TASK + " instead of waiting for the one "
                        + "that arrives in $ISOFOLD_STANDBY";
            }
        }
        if (w.handle().exit().isDone() || w.handle().endedUnheard()) {
            Integer status = LocalLauncher.recordedExitStatus(w.files());
            String tail = StderrTail.of(w.files().stderr());
            return "a standby worker exited before it was given a task (exit status " + status + ")"
                    + (tail == null ? "" : "; its stderr ends with:\n  " + tail.replace("\n", "\n  "));
        }
        return null;
    }

    /**
     * Hands {@code taken} its attempt: links its output and exit status into the attempt directory, then
     * writes the handoff file it waits for. On failure the caller ends it ({@link #discard}).
     *
     * @param env the attempt's per-task environment ({@link WorkerCommand#taskEnvironment})
     */
    void handOff(Taken taken, Map<String, String> env, RunFiles.AttemptFiles attempt) throws IOException {
        RunFiles.AttemptFiles standby = taken.files();
        try {
            Files.createLink(attempt.stdout(), standby.stdout());
            Files.createLink(attempt.stderr(), standby.stderr());
            // fails if the wrapper has already written a status there: the standby exited, and gets no task
            Files.createSymbolicLink(standby.exitStatus(), attempt.exitStatus());
            // what it starts from now on carries the attempt's ISOFOLD_ATTEMPT_DIR, not its ISOFOLD_STANDBY
            taken.handle().handedTo(attempt.dir().toString());
            new Handoff(env).write(standby.dir().resolve(HANDOFF));
        } catch (IOException | RuntimeException e) {
            // the worker started for the attempt instead gets logs of its own, not the standby's
            Files.deleteIfExists(attempt.stdout());
            Files.deleteIfExists(attempt.stderr());
            if (Files.isSymbolicLink(standby.exitStatus())) {
                Files.delete(standby.exitStatus()); // the ended standby's status must not land in the attempt's
            }
            throw e;
        }
    }

    /** A taken standby that could not be handed its attempt: ended, its folder removed. */
    void discard(Taken taken) {
        end(new Waiting(taken.handle(), taken.since(), taken.files(), null));
    }

    /**
     * The attempt a standby became is over: a standby that ran its expected task instead of the one it
     * was handed turns standbys off; its folder goes (the attempt directory keeps the output). Any thread.
     */
    void release(Taken taken) {
        for (Path written : List.of(taken.files().progress(), taken.files().result())) {
            if (Files.exists(written)) {
                turnOff("a standby worker wrote " + written.getFileName() + " in its own folder instead of its "
                        + "attempt's: the worker command runs the task in " + RunFiles.AttemptFiles.TASK + " instead of "
                        + "the one that arrives in $ISOFOLD_STANDBY");
            }
        }
        remove(taken.files().dir());
    }

    /** Ends every standby and starts no more; the future completes when none runs and their folder is gone. */
    CompletableFuture<Void> endAll() {
        off = true;
        bySlot.values().forEach(this::end);
        bySlot.clear();
        return CompletableFuture.allOf(ending.toArray(CompletableFuture[]::new)).whenComplete((v, problem) -> {
            try {
                Files.deleteIfExists(run.standby());
            } catch (IOException notEmpty) {
                // an attempt that was a standby still runs (a stop in progress); a resume removes it
            }
        });
    }

    Duration grace() {
        return grace;
    }

    private void end(Waiting w) {
        ending.removeIf(CompletableFuture::isDone);
        ending.add(w.handle().end(grace).whenComplete((n, problem) -> remove(w.files().dir())));
    }

    private synchronized void turnOff(String why) {
        if (!off) {
            off = true;
            log.warn("{}; standby workers are off for the rest of this run", why);
        }
    }

    /** Removes a standby's folder. Any thread. */
    private static void remove(Path dir) {
        try {
            MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", dir, e.toString());
        }
    }
}
