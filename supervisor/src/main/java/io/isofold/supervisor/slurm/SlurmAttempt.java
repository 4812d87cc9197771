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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An attempt that is one Slurm batch job. Its job id comes when sbatch answers, on one of
 * {@link SlurmLauncher}'s submit threads; its exit is learnt from the launcher's polls, one squeue
 * call for all of a run's jobs, or, for a worker that exited 0, from its wrapper's exit status file
 * between polls; ending it is scancel with TERM, the grace, then KILL, once the id is known.
 *
 * <p>Slurm's commands fail now and then (a controller that restarts, an overloaded one that times out,
 * munge down on the login node). Nothing is concluded from a failure: a scancel that fails is tried
 * again, with growing waits, until Slurm answers or the job is known to be over, so {@link #end}
 * completes only then; and a job is taken for gone only when squeue has left it out of several answers
 * over {@code forgetAfter}, its exit status file or {@code scontrol show job} do not say otherwise, and
 * a last scancel finds nothing to cancel or has cancelled it: a job isofold stops following must not
 * run on beside the replicate's next attempt.
 */
final class SlurmAttempt implements AttemptHandle {
    private static final Logger log = LoggerFactory.getLogger(SlurmAttempt.class);
    /** How often end() sends KILL again while Slurm still reports the job after one (a hung node, its epilog). */
    static final Duration KILL_AGAIN = Duration.ofMinutes(2);
    /** Consecutive squeue answers that must all leave a job out before it may be taken for gone. */
    static final int MISSING_ANSWERS = 3;

    /** Completes when sbatch answers; exceptionally when it submitted nothing (then {@link #exit} says why). */
    private final CompletableFuture<Long> jobId;
    private final RunFiles.AttemptFiles files;
    private final SlurmClient client;
    private final SlurmLauncher launcher;
    private final CompletableFuture<WorkerExit> exit = new CompletableFuture<>();
    private final CompletableFuture<Instant> started = new CompletableFuture<>();
    /** Completes when an end is first asked for: a submit thread waiting to try sbatch again wakes up. */
    private final CompletableFuture<Void> endAsked = new CompletableFuture<>();

    private volatile long followedNanos = System.nanoTime();
    private final boolean submittedHere;
    private boolean seen; // guarded by this
    private int missingAnswers; // guarded by this: squeue answers in a row that left the job out
    private long missingSinceNanos; // guarded by this: when the first of them came
    private boolean confirming; // guarded by this: a check that the job is gone is under way
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

    /** Waits up to {@code limit} for an end to be asked for; returns whether one was. For a submit thread between tries. */
    boolean awaitEndAsked(Duration limit) throws InterruptedException {
        try {
            endAsked.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
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

    /**
     * What one answer of Slurm's (a poll, or scontrol) said of this job; null when it left the job out.
     * Returns whether the attempt is over.
     */
    synchronized boolean observe(SlurmJobStatus status) {
        if (exit.isDone()) {
            return true;
        }
        if (status == null) {
            missing();
            return false;
        }
        seen = true;
        missingAnswers = 0;
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
     * squeue's answer left the job out. One such answer proves nothing (a controller that restarts, or
     * one that has not listed a job it just took); only when every answer has left it out for
     * {@code forgetAfter} (counted from the submission for a job no answer has listed yet), and at
     * least {@link #MISSING_ANSWERS} of them, is it checked whether the job is gone.
     */
    private void missing() {
        long now = System.nanoTime();
        if (missingAnswers++ == 0) {
            missingSinceNanos = now;
        }
        long since = seen ? missingSinceNanos : followedNanos;
        if (confirming || missingAnswers < MISSING_ANSWERS || now - since < launcher.forgetAfter().toNanos()) {
            return;
        }
        confirming = true;
        launcher.killers().execute(this::confirmGone);
    }

    /**
     * On a killer thread: the second opinions on a job squeue no longer lists. Its exit status file says
     * the worker ended: so it did. scontrol still knows the job: it is followed on. Otherwise it is
     * cancelled (scancel retried until it answers), and is over: ended by itself if it left a status,
     * else failed.
     */
    private void confirmGone() {
        long id = jobId();
        try {
            if (endFromFile()) {
                return;
            }
            try {
                SlurmJobStatus shown = launcher.ours(client.showJob(id));
                if (shown != null) {
                    log.warn("squeue no longer lists job {}, but scontrol shows it {}: following it on", id,
                            shown.slurmState());
                    observe(shown);
                    return;
                }
            } catch (SlurmException e) {
                log.debug("scontrol cannot tell whether job {} is gone: {}", id, e.getMessage());
            }
            // not shown, or shown under another name (the id reused since): gone as far as Slurm can tell
            SlurmClient.CancelOutcome cancelled = untilAnswered(id, SlurmClient.Signal.KILL);
            if (cancelled == null || endFromFile()) {
                return;
            }
            exit.complete(new WorkerExit(null, Verdict.FAILED, cancelled == SlurmClient.CancelOutcome.ALREADY_ENDED
                    ? "Slurm no longer knows job " + id + " and it left no exit status"
                    : "squeue stopped listing job " + id + " although it still ran; isofold cancelled it so that it"
                            + " cannot run beside a retry"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the launcher is closing
        } catch (RuntimeException e) {
            log.error("checking whether job {} is gone: {}", id, e.toString());
        } finally {
            synchronized (this) {
                confirming = false;
                missingAnswers = 0; // should it still be followed: a new round of answers before the next check
            }
        }
    }

    /** Ends the attempt from its wrapper's exit status file, if there is one; returns whether it did. */
    private boolean endFromFile() {
        Integer recorded = LocalLauncher.recordedExitStatus(files);
        if (recorded == null) {
            return false;
        }
        exit.complete(!finished(recorded) && warned()
                ? new WorkerExit(recorded, Verdict.TIMEOUT, "Slurm's time limit was near: job " + jobId()
                        + " was told to stop before it")
                : WorkerExit.status(recorded));
        return true;
    }

    /**
     * Whether the worker finished its work: it exited 0 after writing its result. A worker that saves
     * its state and exits 0 on SIGTERM has not, and Slurm's account (preempted, cancelled, its time
     * limit) says why it ended.
     */
    private boolean finished(Integer status) {
        return status != null && status == 0 && Files.exists(files.result());
    }

    /** Slurm's warning before the time limit came, and the job script passed it on; isofold asked for no end. */
    private boolean warned() {
        return !endRequested && Files.exists(files.dir().resolve(JobScript.TIME_LIMIT_WARNING));
    }

    /**
     * Between polls: whether the job's wrapper has recorded that the worker exited 0 after writing its
     * result. Such a worker has finished for good, whatever Slurm still does with the job (COMPLETING,
     * its epilog) and however late the next poll comes, and its slot may take the next job now: a poll's
     * answer comes up to a poll interval plus Slurm's completing time later (0.85 s median on the test
     * cluster, polling every second). Anything else waits for Slurm's account, which may say more (out
     * of memory, its time limit, a preemption, a lost node): a worker that saves and exits 0 on SIGTERM
     * has not finished. Returns whether the attempt is over. Poller thread only.
     */
    boolean observeExitFile() {
        if (exit.isDone()) {
            return true;
        }
        Integer recorded = LocalLauncher.recordedExitStatus(files);
        if (!finished(recorded)) {
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
            case COMPLETED, FAILED -> {
                if (status == null) {
                    yield new WorkerExit(null, Verdict.FAILED, "Slurm reports no exit status for " + where);
                }
                // Slurm's warning signal came (isofold's --signal): before the time limit, or, where the
                // cluster sends it at preemption (preempt_send_user_signal), when the job was chosen for
                // preemption; the worker was told to stop, and did. scontrol tells the two apart.
                boolean warned = !finished(status) && warned();
                if (!finished(status) && (s.preempted() || warned && launcher.chosenForPreemption(s.jobId()))) {
                    yield new WorkerExit(status, Verdict.NODE_LOST, "Slurm: preempted (" + where + ")");
                }
                if (warned) {
                    yield new WorkerExit(status, Verdict.TIMEOUT, "Slurm's time limit was near: " + where
                            + " was told to stop before it");
                }
                yield WorkerExit.status(status);
            }
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

    /**
     * Completes only when the job is over: Slurm has reported its end, or said it is ending or gone
     * (it was withdrawn before sbatch ran, or ended by itself meanwhile: 0). A scancel that fails is
     * tried again, with waits growing to {@link Backoff#MOST}, for as long as it takes.
     */
    @Override
    public synchronized CompletableFuture<Integer> end(Duration grace) {
        if (end == null) {
            endRequested = true;
            endAsked.complete(null);
            end = CompletableFuture.supplyAsync(() -> {
                try {
                    return endNow(grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(new SlurmException("interrupted while ending job "
                            + identity().jobId() + "; it may still run"));
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
    private int endNow(Duration grace) throws InterruptedException {
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
        SlurmClient.CancelOutcome term = untilAnswered(id, SlurmClient.Signal.TERM);
        if (term == null || term == SlurmClient.CancelOutcome.ALREADY_ENDED) {
            return 0; // it ended by itself while scancel failed, or before it came
        }
        if (awaitExit(grace)) {
            return 1;
        }
        while (true) {
            if (untilAnswered(id, SlurmClient.Signal.KILL) == null || awaitExit(KILL_AGAIN)) {
                return 1;
            }
            log.warn("job {} is still not over {} s after scancel with KILL; sending it again", id,
                    KILL_AGAIN.toSeconds());
        }
    }

    /**
     * scancel, tried again until Slurm answers; null when the job's exit became known meanwhile. Each
     * failure is logged when its words change, so a controller that is down for an hour says so once.
     */
    private SlurmClient.CancelOutcome untilAnswered(long id, SlurmClient.Signal signal) throws InterruptedException {
        Backoff backoff = new Backoff();
        String said = null;
        while (!exit.isDone()) {
            try {
                SlurmClient.CancelOutcome outcome = client.cancel(id, signal);
                if (backoff.failures() > 0) {
                    log.info("scancel ({}) of job {} worked after {} failed tries", signal, id, backoff.failures());
                }
                return outcome;
            } catch (SlurmException e) {
                Duration wait = backoff.next();
                if (!e.getMessage().equals(said)) {
                    said = e.getMessage();
                    log.warn("{}; job {} may still run: trying again, every {} s at most", said, id,
                            Backoff.MOST.toSeconds());
                }
                awaitExit(wait); // its exit may come meanwhile: the job ended by itself, nothing to cancel
            }
        }
        return null;
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

    /** Whether an end was asked for and has not finished: the job may still run. */
    synchronized boolean ending() {
        return end != null && !end.isDone();
    }

    /** A job's memory is on another machine; Slurm enforces --mem there, if the site lets it. */
    @Override
    public OptionalLong memoryBytes() {
        return OptionalLong.empty();
    }
}
