package io.isofold.supervisor.standby;

import io.isofold.shared.Handoff;
import io.isofold.shared.Json;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.schedule.StderrTail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standby workers: at most one per slot, started while the slot's attempt runs, so that when the
 * slot frees the next attempt's worker has already started its JVM, loaded its libraries and read
 * the data (about 2 s of every built-in attempt on 2 cores). The standby becomes that attempt when
 * it is handed the task ({@link Handoff}); it is still a process that runs exactly one attempt.
 *
 * <p>Each standby has a folder {@code <out>/standby/<slot>-<n>/} with its output, the task it was
 * told to expect, and, once handed over, the handoff file. At the handoff its stdout and stderr are
 * hard-linked into the attempt directory (the process keeps writing to the same files), and its
 * {@code exit_status} name is made a link to the attempt's, where the launcher's wrapper will write
 * the status. The folder is removed when the attempt is over or the standby ended unused; a resumed
 * run ends whatever a dead supervisor left there and removes the folder (see {@code RunSetup}).
 *
 * <p>A standby that exits before its task (a worker command that does not implement the protocol,
 * a crash while loading) turns standby workers off for the rest of the run, with one warning.
 *
 * <p>Not thread-safe: the run loop's thread owns it. Ends run on the launcher's threads.
 */
public final class StandbyWorkers {
    private static final Logger log = LoggerFactory.getLogger(StandbyWorkers.class);
    private static final String HANDOFF = "handoff.json";

    /** A standby handed (or about to be handed) an attempt. */
    public record Taken(AttemptHandle handle, Instant since, RunFiles.AttemptFiles files) {}

    /** @param variant the variant it can run, or null for any */
    private record Waiting(AttemptHandle handle, Instant since, RunFiles.AttemptFiles files, String variant) {}

    private final RunFiles run;
    private final WorkerCommand command;
    private final WorkerLauncher launcher;
    private final Duration grace;
    /** Whether a standby serves only the variant it was started for (the command names it). */
    private final boolean perVariant;
    private final Map<Integer, Waiting> bySlot = new LinkedHashMap<>();
    private final List<CompletableFuture<?>> ending = new ArrayList<>();
    private int started;
    private boolean off;

    public StandbyWorkers(RunFiles run, WorkerCommand command, WorkerLauncher launcher, Duration grace) {
        this.run = run;
        this.command = command;
        this.launcher = launcher;
        this.grace = grace;
        this.perVariant = command.variantInCommand();
    }

    /** Standby workers waiting now. */
    public int count() {
        return bySlot.size();
    }

    /** Whether {@code slot} could get a standby now: standbys are on and it has none. */
    public boolean wanted(Slot slot) {
        return !off && !bySlot.containsKey(slot.id());
    }

    /**
     * Starts a standby for {@code slot} unless it has one or standbys are off.
     *
     * @param expected the task to announce, given the files of the standby's folder
     */
    public void start(Slot slot, Function<RunFiles.AttemptFiles, Task> expected) {
        if (!wanted(slot)) {
            return;
        }
        RunFiles.AttemptFiles files = new RunFiles.AttemptFiles(
                run.standby().resolve(slot.id() + "-" + (++started)));
        Task task = expected.apply(files);
        try {
            Files.createDirectories(files.dir());
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(files.task().toFile(), task);
            LaunchRequest request = command.standbyRequest(task, slot, files, files.dir().resolve(HANDOFF));
            Instant since = Instant.now();
            AttemptHandle handle = launcher.launch(request);
            bySlot.put(slot.id(), new Waiting(handle, since, files, perVariant ? task.model() : null));
        } catch (IOException | RuntimeException e) {
            turnOff("cannot start a standby worker in " + files.dir() + ": " + e.getMessage());
            remove(files.dir());
        }
    }

    /**
     * The slot's standby, taken out of the pool to run {@code variant}'s next attempt; empty when the
     * slot has none, or none that can run it (it then ends), or it has exited already.
     */
    public Optional<Taken> take(Slot slot, String variant) {
        Waiting w = bySlot.remove(slot.id());
        if (w == null) {
            return Optional.empty();
        }
        if (w.handle().exit().isDone()) {
            Integer status = w.handle().exit().isCompletedExceptionally() ? null : w.handle().exit().join().status();
            String tail = StderrTail.of(w.files().stderr());
            turnOff("a standby worker exited before it was given a task (exit status " + status + ")"
                    + (tail == null ? "" : "; its stderr ends with:\n  " + tail.replace("\n", "\n  ")));
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
     * Hands {@code taken} its attempt: links its output and exit status into the attempt directory, then
     * writes the handoff file it waits for. On failure the caller ends it ({@link #discard}).
     *
     * @param env the attempt's per-task environment ({@link WorkerCommand#taskEnvironment})
     */
    public void handOff(Taken taken, Map<String, String> env, RunFiles.AttemptFiles attempt) throws IOException {
        RunFiles.AttemptFiles standby = taken.files();
        try {
            Files.createLink(attempt.stdout(), standby.stdout());
            Files.createLink(attempt.stderr(), standby.stderr());
            // fails if the wrapper has already written a status there: the standby exited, and gets no task
            Files.createSymbolicLink(standby.exitStatus(), attempt.exitStatus());
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
    public void discard(Taken taken) {
        end(new Waiting(taken.handle(), taken.since(), taken.files(), null));
    }

    /** The attempt a standby became is over: its folder goes (the attempt directory keeps the output). */
    public void release(Taken taken) {
        remove(taken.files().dir());
    }

    /** Ends standbys beyond {@code wanted}, the attempts still to start: the newest, which have done least. */
    public void trim(int wanted) {
        while (bySlot.size() > wanted) {
            Integer newest = null;
            for (Integer slot : bySlot.keySet()) {
                newest = slot; // the map keeps the order they were started in
            }
            end(bySlot.remove(newest));
        }
    }

    /** Ends the standby of each of {@code slots} (a GPU taken out of the run). */
    public void endOn(List<Slot> slots) {
        for (Slot s : slots) {
            Waiting w = bySlot.remove(s.id());
            if (w != null) {
                end(w);
            }
        }
    }

    /** Ends every standby and starts no more; the future completes when none runs and their folder is gone. */
    public CompletableFuture<Void> endAll() {
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

    private void end(Waiting w) {
        ending.removeIf(CompletableFuture::isDone);
        ending.add(w.handle().end(grace).whenComplete((n, problem) -> remove(w.files().dir())));
    }

    private void turnOff(String why) {
        if (!off) {
            off = true;
            log.warn("{}; standby workers are off for the rest of this run", why);
        }
    }

    /** Removes the run's standby folder, which a dead supervisor left, once its workers have been ended. */
    public static void removeFolder(RunFiles run) {
        if (Files.isDirectory(run.standby())) {
            remove(run.standby());
        }
    }

    /** Removes a standby's folder. Any thread. */
    private static void remove(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", dir, e.toString());
        }
    }
}
