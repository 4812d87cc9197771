package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.watch.LogCap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A backend whose attempts' stdout.log and stderr.log are kept near {@code --max-log-size} by a
 * {@link LogCap}: watched from the launch (a standby's, from its start: its logs are linked into the
 * attempt directory at the handoff, the same files) until nothing of the attempt runs, then cut to the
 * cap before the attempt's end is reported. The backend itself is unchanged.
 */
public final class LogCappedLauncher implements WorkerLauncher, AutoCloseable {
    private final WorkerLauncher backend;
    private final LogCap cap;

    public LogCappedLauncher(WorkerLauncher backend, long maxLogBytes) {
        this.backend = backend;
        this.cap = new LogCap(maxLogBytes);
    }

    @Override
    public AttemptHandle launch(LaunchRequest request) throws IOException {
        return capped(backend.launch(request), request.files());
    }

    @Override
    public void expect(List<LaunchRequest> next) {
        backend.expect(next);
    }

    /** An attempt a dead supervisor left: watched on if it is adopted; cut once if it has ended. */
    @Override
    public Recovery recover(AttemptRecord unfinished, RunFiles.AttemptFiles files, Duration grace)
            throws InterruptedException {
        Recovery r = backend.recover(unfinished, files, grace);
        if (r instanceof Recovery.Adopted adopted) {
            return new Recovery.Adopted(capped(adopted.handle(), files));
        }
        cap.release(logs(files)).join(); // before the resume reads its stderr's tail
        return r;
    }

    @Override
    public List<Found> launchedAttempts() throws InterruptedException {
        return backend.launchedAttempts();
    }

    @Override
    public boolean endsWhatItRecovers() {
        return backend.endsWhatItRecovers();
    }

    @Override
    public Map<String, Integer> endLeftovers(RunFiles run, Duration grace) throws InterruptedException {
        return backend.endLeftovers(run, grace);
    }

    private static List<Path> logs(RunFiles.AttemptFiles files) {
        return List.of(files.stdout(), files.stderr());
    }

    private AttemptHandle capped(AttemptHandle attempt, RunFiles.AttemptFiles files) {
        List<Path> logs = logs(files);
        cap.watch(logs);
        return new Capped(attempt, logs);
    }

    /** The backend's handle, whose end also cuts the logs, once nothing writes to them. */
    private final class Capped implements AttemptHandle {
        private final AttemptHandle attempt;
        private final List<Path> logs;
        private CompletableFuture<Integer> ended;

        Capped(AttemptHandle attempt, List<Path> logs) {
            this.attempt = attempt;
            this.logs = logs;
        }

        @Override
        public synchronized CompletableFuture<Integer> end(Duration grace) {
            if (ended == null) {
                ended = attempt.end(grace).handle((signalled, problem) -> cap.release(logs).thenApply(v -> {
                    if (problem != null) {
                        throw problem instanceof CompletionException c ? c : new CompletionException(problem);
                    }
                    return signalled;
                })).thenCompose(f -> f);
            }
            return ended;
        }

        @Override
        public LaunchIdentity identity() {
            return attempt.identity();
        }

        @Override
        public CompletableFuture<LaunchIdentity> identified() {
            return attempt.identified();
        }

        @Override
        public CompletableFuture<Instant> started() {
            return attempt.started();
        }

        @Override
        public CompletableFuture<WorkerExit> exit() {
            return attempt.exit();
        }

        @Override
        public OptionalLong memoryBytes() {
            return attempt.memoryBytes();
        }

        @Override
        public Instant preparedSince() {
            return attempt.preparedSince();
        }

        @Override
        public boolean endedUnheard() {
            return attempt.endedUnheard();
        }

        @Override
        public Instant endedAt() {
            return attempt.endedAt();
        }
    }

    @Override
    public void close() throws Exception {
        cap.close();
        if (backend instanceof AutoCloseable c) {
            c.close();
        }
    }
}
