package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.watch.AttemptProcesses;
import io.isofold.supervisor.watch.ProcessTreeKiller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A local attempt: a process tree under a session of its own (see {@link LocalLauncher}). */
public final class LocalAttempt implements AttemptHandle {
    private final LaunchIdentity identity;
    private final AttemptProcesses processes;
    private final LocalLauncher launcher;
    private final CompletableFuture<WorkerExit> exit;
    private final CompletableFuture<Instant> started = CompletableFuture.completedFuture(Instant.now());
    /** Where the launcher's wrapper writes the worker's exit status when it ends (see {@link LocalLauncher}). */
    private final Path exitStatus;
    private CompletableFuture<Integer> end; // guarded by this

    LocalAttempt(Process process, AttemptProcesses processes, LaunchIdentity identity, Path exitStatus,
            LocalLauncher launcher) {
        this.identity = identity;
        this.exitStatus = exitStatus;
        this.processes = processes;
        this.launcher = launcher;
        this.exit = process.onExit().thenApply(p -> WorkerExit.status(p.exitValue()));
    }

    @Override
    public LaunchIdentity identity() {
        return identity;
    }

    /** A local process runs from its launch. */
    @Override
    public CompletableFuture<Instant> started() {
        return started;
    }

    @Override
    public CompletableFuture<WorkerExit> exit() {
        return exit;
    }

    /** The wrapper wrote the worker's status: it has ended, whether or not the JVM has reaped it yet. */
    @Override
    public boolean endedUnheard() {
        return !exit.isDone() && Files.exists(exitStatus);
    }

    /** When the worker ended, by the wrapper's status file; null while it runs. */
    @Override
    public Instant endedAt() {
        try {
            return Files.getLastModifiedTime(exitStatus).toInstant();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized CompletableFuture<Integer> end(Duration grace) {
        if (end == null) {
            end = CompletableFuture.supplyAsync(() -> {
                try {
                    return ProcessTreeKiller.kill(processes, grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                }
            }, launcher.killers());
        }
        return end;
    }

    /**
     * A standby worker became the attempt in {@code attemptDir}: what it starts from now on carries that
     * ISOFOLD_ATTEMPT_DIR, and is the attempt's too.
     */
    public void handedTo(String attemptDir) {
        processes.alsoMarkedBy(AttemptProcesses.Marker.attemptDir(attemptDir));
    }

    @Override
    public OptionalLong memoryBytes() {
        return OptionalLong.of(processes.memoryBytes(launcher.recentScan()));
    }
}
