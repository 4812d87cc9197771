package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.watch.AttemptProcesses;
import io.isofold.supervisor.watch.ProcessTreeKiller;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A local attempt: a process tree under a session of its own (see {@link LocalLauncher}). */
final class LocalAttempt implements AttemptHandle {
    private final LaunchIdentity identity;
    private final AttemptProcesses processes;
    private final LocalLauncher launcher;
    private final CompletableFuture<WorkerExit> exit;
    private final CompletableFuture<Instant> started = CompletableFuture.completedFuture(Instant.now());
    private CompletableFuture<Integer> end; // guarded by this

    LocalAttempt(Process process, AttemptProcesses processes, LaunchIdentity identity, LocalLauncher launcher) {
        this.identity = identity;
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

    @Override
    public OptionalLong memoryBytes() {
        return OptionalLong.of(processes.memoryBytes(launcher.recentScan()));
    }
}
