package io.isofold.supervisor.slurm;

import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerExit;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An attempt that is one Slurm batch job. Its job id comes when sbatch answers, on one of
 * {@link SlurmLauncher}'s submit threads; its exit is learnt from the launcher's polls, one squeue
 * call for all of a run's jobs, or, for a worker that exited 0, from its wrapper's exit status file
 * between polls; ending it is scancel with TERM, the grace, then KILL, once the id is known.
 */
final class SlurmAttempt implements AttemptHandle {
    /** How long end() waits, after KILL, for Slurm to report the job over (its KillWait, epilog). */
    private static final Duration AFTER_KILL = Duration.ofMinutes(2);

    /** Completes when sbatch answers; exceptionally when it submitted nothing (then {@link #exit} says why). */
    private final CompletableFuture<Long> jobId;
    private final RunFiles.AttemptFiles files;
    private final SlurmClient client;
    private final SlurmLauncher launcher;
    private final CompletableFuture<WorkerExit> exit = new CompletableFuture<>();
    private final CompletableFuture<Instant> started = new CompletableFuture<>();
    /**
     * How long a job no poll has seen yet may be missing from squeue's answer before it counts as
     * forgotten: a controller under load may list a job it just accepted only a little later.
     */
    static final Duration UNSEEN_GRACE = Duration.ofSeconds(30);

    private volatile long followedNanos = System.nanoTime();
    private final boolean submittedHere;
    private volatile boolean seen; // poller thread writes; read there only
    private volatile String node;
    private volatile boolean endRequested;
    private CompletableFuture<Integer> end; // guarded by this
    private boolean withdrawn; // guarded by this: ended before its sbatch ran, so never submitted

    /**
     * @param submittedHere true for a job this supervisor submitted: its start is when a poll first sees it
     *                      run. Slurm's StartTime is whole seconds and comes before the job's script has even
     *                      begun (about a second here), so it would cut into the worker's --timeout. For an
     *                      adopted job, which may have started long before this supervisor, it is the best there is.
     */
    SlurmAttempt(long jobId, String node, RunFiles.AttemptFiles files, SlurmClient client, SlurmLauncher launcher,
            boolean submittedHere) {
        this(CompletableFuture.completedFuture(jobId), node, files, client, launcher, submittedHere);
    }

    /** A job being submitted: {@link #submitted} or {@link #refused} follows. */
    SlurmAttempt(RunFiles.AttemptFiles files, SlurmClient client, SlurmLauncher launcher) {
        this(new CompletableFuture<>(), null, files, client, launcher, true);
    }

    private SlurmAttempt(CompletableFuture<Long> jobId, String node, RunFiles.AttemptFiles files, SlurmClient client,
            SlurmLauncher launcher, boolean submittedHere) {
        this.submittedHere = submittedHere;
        this.jobId = jobId;
        this.node = node;
        this.files = files;
        this.client = client;
        this.launcher = launcher;
    }

    /**
     * Called on the submit thread just before sbatch runs. False when an end came first (a stop while
     * the job waited for a submit thread): then nothing is submitted, and the attempt is over, ended by
     * that request like a job cancelled while pending.
     */
    synchronized boolean toSubmit() {
        if (!endRequested) {
            return true;
        }
        withdrawn = true;
        exit.complete(new WorkerExit(null, null, null));
        jobId.completeExceptionally(new SlurmException("ended before it was submitted"));
        return false;
    }

    /** sbatch answered with the job's id; call before the polls follow the job. */
    void submitted(long id) {
        followedNanos = System.nanoTime(); // the grace for a job squeue does not list yet runs from here
        jobId.complete(id);
    }

    /** sbatch submitted nothing: a failed attempt, with sbatch's own words. */
    void refused(String reason) {
        exit.complete(new WorkerExit(null, Verdict.FAILED, reason));
        jobId.completeExceptionally(new SlurmException(reason));
    }

    /** Only for a job whose id is known: the launcher follows no other. */
    long jobId() {
        return jobId.join();
    }

    @Override
    public LaunchIdentity identity() {
        Long id = jobId.isDone() && !jobId.isCompletedExceptionally() ? jobId.join() : null;
        return LaunchIdentity.job(id == null ? null : Long.toString(id), node);
    }

    @Override
    public CompletableFuture<LaunchIdentity> identified() {
        return jobId.thenApply(id -> identity());
    }

    /** When the job began to run: see the constructor's {@code submittedHere}. */
    @Override
    public CompletableFuture<Instant> started() {
        return started;
    }

    @Override
    public CompletableFuture<WorkerExit> exit() {
        return exit;
    }

    /** What one poll saw of this job; null when Slurm no longer knows it. Returns whether it is over. */
    boolean observe(SlurmJobStatus status) {
        if (status == null && !seen && System.nanoTime() - followedNanos < UNSEEN_GRACE.toNanos()) {
            return false; // not in squeue's answer yet, so not forgotten either
        }
        if (status != null) {
            seen = true;
        }
        if (status == null) {
            // forgotten (MinJobAge passed, or the controller lost its state): the wrapper's file is the record
            Integer recorded = LocalLauncher.recordedExitStatus(files);
            exit.complete(recorded != null ? WorkerExit.status(recorded)
                    : new WorkerExit(null, Verdict.FAILED, "Slurm no longer knows job " + jobId()
                            + " and it left no exit status"));
            return true;
        }
        if (status.node() != null) {
            node = status.node();
        }
        // the node first: whoever acts on the start reads identity() for it
        if (status.state() == SlurmJobState.RUNNING || status.state().ended() && status.started() != null) {
            started.complete(submittedHere || status.started() == null ? Instant.now() : status.started());
        }
        if (!status.state().ended()) {
            return false;
        }
        exit.complete(exitOf(status));
        return true;
    }

    /**
     * Between polls: whether the job's wrapper has recorded that the worker exited 0. Such a worker
     * has ended for good, whatever Slurm still does with the job (COMPLETING, its epilog) and however
     * late the next poll comes, and its slot may take the next job now: a poll's answer comes up to a
     * poll interval plus Slurm's completing time later (0.85 s median on the test cluster, polling every
     * second). Any other status waits for Slurm's account, which may say more (out of memory, its
     * time limit, a lost node). Returns whether the attempt is over. Poller thread only.
     */
    boolean observeExitFile() {
        if (exit.isDone()) {
            return true;
        }
        Integer recorded = LocalLauncher.recordedExitStatus(files);
        if (recorded == null || recorded != 0) {
            return false;
        }
        if (node == null) {
            node = nodeFromFile();
        }
        // the node first: whoever acts on the start reads identity() for it
        started.complete(Instant.now());
        exit.complete(WorkerExit.status(0));
        return true;
    }

    /** The node the job script wrote when it began, or null. */
    private String nodeFromFile() {
        try {
            String line = Files.readString(files.dir().resolve(JobScript.NODE_FILE)).strip();
            return line.isEmpty() ? null : line;
        } catch (IOException e) {
            return null;
        }
    }

    private WorkerExit exitOf(SlurmJobStatus s) {
        // the batch script's status is the wrapper's, which is the worker's; a signal ended the wrapper too
        Integer status = s.exitCode() != null ? s.exitCode() : s.signal() != null ? 128 + s.signal() : null;
        String where = "job " + s.jobId() + (s.node() == null ? "" : " on " + s.node());
        return switch (s.state()) {
            case COMPLETED, FAILED -> status == null
                    ? new WorkerExit(null, Verdict.FAILED, "Slurm reports no exit status for " + where)
                    : WorkerExit.status(status);
            case TIMEOUT -> new WorkerExit(status, Verdict.TIMEOUT, "Slurm's --time backstop ended " + where);
            case OUT_OF_MEMORY -> new WorkerExit(status, Verdict.MEMORY, "Slurm's --mem limit ended " + where);
            case NODE_FAIL, PREEMPTED, BOOT_FAIL -> new WorkerExit(status, Verdict.NODE_LOST,
                    "Slurm: " + s.slurmState() + " (" + where + ")");
            // ours: the loop has its own verdict for the kill it asked for
            case CANCELLED -> endRequested ? new WorkerExit(status, null, null)
                    : new WorkerExit(status, Verdict.FAILED, where + " was cancelled outside isofold");
            default -> new WorkerExit(status, Verdict.FAILED, "Slurm: " + s.slurmState() + " (" + where + ")");
        };
    }

    @Override
    public synchronized CompletableFuture<Integer> end(Duration grace) {
        if (end == null) {
            endRequested = true;
            end = CompletableFuture.supplyAsync(() -> {
                try {
                    return endNow(grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                } catch (SlurmException e) {
                    throw new CompletionException(e);
                }
            }, launcher.killers());
        }
        return end;
    }

    /**
     * Slurm sweeps a job's processes itself when it ends, so only a job still going needs signals. A
     * job whose sbatch has not answered yet is waited for (at most the client's command timeout), so
     * that a stop in that moment still cancels it rather than leave it to run unwatched.
     */
    private int endNow(Duration grace) throws SlurmException, InterruptedException {
        long id;
        try {
            id = jobId.get();
        } catch (ExecutionException notSubmitted) {
            synchronized (this) {
                return withdrawn ? 1 : 0; // a withdrawn job counts as one ended by this request
            }
        }
        if (exit.isDone()) {
            return 0;
        }
        if (client.cancel(id, SlurmClient.Signal.TERM) == SlurmClient.CancelOutcome.ALREADY_ENDED) {
            return 0;
        }
        if (awaitExit(grace)) {
            return 1;
        }
        client.cancel(id, SlurmClient.Signal.KILL);
        awaitExit(AFTER_KILL);
        return 1;
    }

    private boolean awaitExit(Duration limit) throws InterruptedException {
        try {
            exit.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** A job's memory is on another machine; Slurm enforces --mem there, if the site lets it. */
    @Override
    public OptionalLong memoryBytes() {
        return OptionalLong.empty();
    }
}
