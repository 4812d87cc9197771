package io.isofold.supervisor.standby;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.launch.WorkerExit;
import io.isofold.supervisor.launch.WorkerLauncher;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local attempts, each handed to the slot's standby worker when one waits for it, else started as
 * {@link LocalLauncher} starts them. The run loop tells it what it expects next ({@link #expect}) and
 * asks for launches; it never knows whether a worker was started ahead. Either way an attempt is one
 * fresh process that runs one task.
 */
public final class StandbyLauncher implements WorkerLauncher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandbyLauncher.class);
    /** How much longer than a kill grace the end of the run waits for its standbys to go. */
    private static final long END_MARGIN_MILLIS = 30_000;

    private final LocalLauncher local;
    private final StandbyWorkers pool;

    public StandbyLauncher(LocalLauncher local, RunFiles run, WorkerCommand command, Duration grace) {
        this.local = local;
        this.pool = new StandbyWorkers(run, command, local, grace);
    }

    @Override
    public AttemptHandle launch(LaunchRequest request) throws IOException {
        Optional<StandbyWorkers.Taken> taken = pool.take(request.slot(), request.task().model());
        if (taken.isPresent()) {
            try {
                pool.handOff(taken.get(), WorkerCommand.taskEnvironment(request.task(), request.files()),
                        request.files());
                return new HandedOff(taken.get(), pool);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot hand {} to its standby worker ({}); starting a worker for it", request.files().dir(),
                        e.toString());
                pool.discard(taken.get());
            }
        }
        return local.launch(request);
    }

    @Override
    public void expect(List<LaunchRequest> next) {
        pool.expect(next);
    }

    @Override
    public Recovery recover(AttemptRecord unfinished, RunFiles.AttemptFiles files, Duration grace)
            throws InterruptedException {
        return local.recover(unfinished, files, grace);
    }

    @Override
    public boolean endsWhatItRecovers() {
        return local.endsWhatItRecovers();
    }

    @Override
    public Map<String, Integer> endLeftovers(RunFiles run, Duration grace) throws InterruptedException {
        return local.endLeftovers(run, grace);
    }

    /** Ends every standby still waiting and waits until none runs and their folder is gone (a grace and a little). */
    @Override
    public void close() {
        try {
            pool.endAll().get(pool.grace().toMillis() + END_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("ending the standby workers: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A standby that became an attempt: the standby's process, its folder released when the attempt is over. */
    private static final class HandedOff implements AttemptHandle {
        private final StandbyWorkers.Taken taken;
        private final StandbyWorkers pool;
        private CompletableFuture<Integer> end; // guarded by this

        HandedOff(StandbyWorkers.Taken taken, StandbyWorkers pool) {
            this.taken = taken;
            this.pool = pool;
        }

        @Override
        public LaunchIdentity identity() {
            return taken.handle().identity();
        }

        @Override
        public CompletableFuture<Instant> started() {
            return taken.handle().started();
        }

        @Override
        public CompletableFuture<WorkerExit> exit() {
            return taken.handle().exit();
        }

        @Override
        public synchronized CompletableFuture<Integer> end(Duration grace) {
            if (end == null) {
                end = taken.handle().end(grace).whenComplete((n, problem) -> pool.release(taken));
            }
            return end;
        }

        @Override
        public OptionalLong memoryBytes() {
            return taken.handle().memoryBytes();
        }

        @Override
        public Instant preparedSince() {
            return taken.since();
        }

        @Override
        public boolean endedUnheard() {
            return taken.handle().endedUnheard();
        }

        @Override
        public Instant endedAt() {
            return taken.handle().endedAt();
        }
    }
}
