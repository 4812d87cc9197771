package io.isofold.supervisor.slurm;

import io.isofold.shared.WorkerEnv;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.journal.LaunchIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each attempt as one Slurm batch job. sbatch runs on a few submit threads, never on the
 * caller's: the run loop gets a handle at once and the job id when sbatch answers (about 0.14 s per
 * job on the test cluster, up to the command timeout when the controller hangs), so launches overlap
 * and the loop's watchdog ticks go on meanwhile. One thread polls the state of all the run's unfinished
 * jobs in one squeue call every {@code pollInterval} (clusters rate-limit RPCs to slurmctld; one call
 * per job per tick would be what they limit) and completes the attempts' exits from it; between
 * polls the same thread looks at the jobs' exit status files, so a worker that exited 0 frees its
 * place without waiting for the next poll.
 *
 * <p>On resume a job Slurm still knows is adopted, neither cancelled nor run again: a supervisor on a
 * login node may die and come back without losing GPU hours.
 *
 * <p>A Slurm command that gives no answer (the controller down or overloaded, munge down, a command
 * past its time limit) is tried again with growing waits ({@link Backoff}), never taken for an answer:
 * sbatch until Slurm takes or refuses the job, squeue (the polls, and the look-ups of a resume) until
 * it answers, scancel until the job is over (see {@link SlurmAttempt}).
 */
public final class SlurmLauncher implements WorkerLauncher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SlurmLauncher.class);

    /**
     * @param jobNamePrefix names the run's jobs: {@code <prefix>-r<replicate>-a<attempt>}
     * @param gpu           one GPU per job ({@code --gres=gpu:1}), or none
     * @param memoryBytes   {@code --mem} from --max-memory; null for none
     * @param timeLimit     Slurm's {@code --time}, a backstop behind isofold's own --timeout; null for none
     * @param sbatchOptions the user's --slurm-opt arguments
     * @param killGrace     with a {@code timeLimit}: the job script tells the worker to stop this long before it
     *                      ({@code --signal}); null for no such warning
     * @param forgetAfter   how long every squeue answer must leave a job out before it is checked whether the
     *                      job is gone ({@link SlurmAttempt})
     */
    public record Settings(String jobNamePrefix, boolean gpu, Long memoryBytes, Duration timeLimit,
            List<String> sbatchOptions, Duration pollInterval, Duration killGrace, Duration forgetAfter) {
        /** 30 s: a restarting controller, or one slow to list a job it just took, is back long before. */
        public static final Duration DEFAULT_FORGET_AFTER = Duration.ofSeconds(30);

        public Settings {
            sbatchOptions = List.copyOf(sbatchOptions);
        }

        public Settings(String jobNamePrefix, boolean gpu, Long memoryBytes, Duration timeLimit,
                List<String> sbatchOptions, Duration pollInterval) {
            this(jobNamePrefix, gpu, memoryBytes, timeLimit, sbatchOptions, pollInterval, null, DEFAULT_FORGET_AFTER);
        }
    }

    private final SlurmClient client;
    private final Settings settings;
    private final Map<Long, SlurmAttempt> unfinished = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(daemon("isofold-squeue"));
    private final ExecutorService killers = Executors.newCachedThreadPool(daemon("isofold-scancel"));
    private final ExecutorService submitters;
    private String lastPollProblem; // poller thread only
    private Backoff pollBackoff = new Backoff(); // poller thread only
    private long nextPollNanos = System.nanoTime(); // poller thread only: polls wait for it after a failure

    /**
     * Concurrent sbatch calls. slurmctld handles submissions one at a time, but each sbatch also
     * spends time of its own (start, authentication, the round trip) that overlaps with the others':
     * on the 2-core test cluster 40 to 60 held jobs took 34-57 ms each one at a time, 23-29 ms two at a
     * time, 20-24 ms four at a time, and 34-40 ms eight at a time.
     */
    static final int SUBMITTERS = 4;
    /**
     * How often the jobs' exit status files are looked at between polls ({@link SlurmAttempt#observeExitFile}):
     * a file system call per unfinished job, no RPC to slurmctld.
     */
    static final Duration EXIT_FILE_CHECK = Duration.ofMillis(200);

    public SlurmLauncher(SlurmClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
        this.submitters = Executors.newFixedThreadPool(SUBMITTERS, daemon("isofold-sbatch"));
        long every = settings.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollOnce, every, every, TimeUnit.MILLISECONDS);
        long files = EXIT_FILE_CHECK.toMillis();
        poller.scheduleWithFixedDelay(this::checkExitFiles, files, files, TimeUnit.MILLISECONDS);
    }

    /**
     * Returns at once; sbatch runs on a submit thread. A job sbatch refuses (or that it cannot submit
     * in time) is a failed attempt through the handle's exit, with sbatch's first line as the reason.
     */
    @Override
    public AttemptHandle launch(LaunchRequest request) {
        RunFiles.AttemptFiles files = request.files();
        String name = settings.jobNamePrefix() + "-r" + request.environment().getOrDefault(WorkerEnv.REPLICATE, "x")
                + "-a" + request.environment().getOrDefault(WorkerEnv.ATTEMPT, "x");
        SlurmSubmission job = new SlurmSubmission(name, request.command(), request.environment(), files.dir(),
                files.stdout(), files.stderr(), settings.gpu(), settings.memoryBytes(), settings.timeLimit(),
                settings.sbatchOptions(), settings.killGrace(), request.workdir());
        SlurmAttempt attempt = new SlurmAttempt(files, client, this);
        try {
            submitters.execute(() -> submit(job, attempt));
        } catch (RejectedExecutionException e) {
            attempt.refused("not submitted: the launcher is closed");
        }
        return attempt;
    }

    /**
     * On a submit thread: sbatch, then the polls follow the job. An sbatch that got no answer is tried
     * again after a wait; but first, and for as long as it takes squeue to answer, the job is looked for
     * by its name, since the controller may have taken it all the same. A stop meanwhile withdraws the
     * submission only once no such job is found.
     */
    private void submit(SlurmSubmission job, SlurmAttempt attempt) {
        Backoff backoff = new Backoff();
        boolean unsure = false; // an sbatch got no answer: its job may exist
        String said = null;
        try {
            while (true) {
                if (unsure) {
                    try {
                        Long taken = client.acceptedAs(job.name());
                        if (taken != null) {
                            log.info("{} is job {}: Slurm took it although sbatch got no answer", job.name(), taken);
                            accepted(job, attempt, taken, true);
                            return;
                        }
                        unsure = false;
                    } catch (SlurmException e) {
                        said = retryLater(job.name(), "looking for it by name: " + e.getMessage(), said, attempt,
                                backoff);
                        continue;
                    }
                }
                if (!attempt.toSubmit()) {
                    return;
                }
                try {
                    long id = client.submit(job);
                    log.debug("{} is job {}", job.name(), id);
                    accepted(job, attempt, id, backoff.failures() > 0);
                    return;
                } catch (SlurmException e) {
                    if (e.answer()) {
                        attempt.refused(e.getMessage());
                        return;
                    }
                    unsure = true;
                    said = retryLater(job.name(), e.getMessage(), said, attempt, backoff);
                }
            }
        } catch (InterruptedException e) {
            attempt.refused("interrupted while submitting " + job.name());
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a thread of a pool must not swallow it: the attempt would wait for an id forever
            attempt.refused("submitting " + job.name() + " failed: " + e);
        }
    }

    /** Logs a failure (once per wording) and waits before the next try, less when an end is asked for meanwhile. */
    private static String retryLater(String name, String problem, String said, SlurmAttempt attempt, Backoff backoff)
            throws InterruptedException {
        Duration wait = backoff.next();
        if (!problem.equals(said)) {
            log.warn("{}; trying {} again, every {} s at most", problem, name, Backoff.MOST.toSeconds());
        }
        attempt.awaitEndAsked(wait);
        return problem;
    }

    /**
     * The job is Slurm's now: the loop learns its id, then the polls follow it. After tries that got no
     * answer, an earlier one may have been taken too: any other job of the same name is cancelled.
     */
    private void accepted(SlurmSubmission job, SlurmAttempt attempt, long id, boolean triedBefore) {
        attempt.submitted(id); // first: the loop learns the id before any poll can end the attempt
        follow(attempt);
        if (triedBefore) {
            try {
                killers.execute(() -> cancelTwins(job.name(), id));
            } catch (RejectedExecutionException closing) {
                log.warn("{} may have been submitted twice; look for a second job of that name", job.name());
            }
        }
    }

    /** Cancels every job named {@code name} but {@code keep}: submitted by an sbatch that got no answer. */
    private void cancelTwins(String name, long keep) {
        Backoff backoff = new Backoff();
        try {
            while (true) {
                try {
                    for (SlurmJobStatus twin : client.jobsNamed(name)) {
                        if (twin.jobId() != keep && !twin.state().ended()) {
                            log.warn("{} was submitted twice (job {} and job {}): cancelling job {}", name, keep,
                                    twin.jobId(), twin.jobId());
                            untilCancelled(twin.jobId());
                        }
                    }
                    return;
                } catch (SlurmException e) {
                    log.debug("looking for a second job named {}: {}", name, e.getMessage());
                    Thread.sleep(backoff.next().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void untilCancelled(long id) throws InterruptedException {
        Backoff backoff = new Backoff();
        while (true) {
            try {
                client.cancel(id, SlurmClient.Signal.KILL);
                return;
            } catch (SlurmException e) {
                log.debug("cancelling job {}: {}", id, e.getMessage());
                Thread.sleep(backoff.next().toMillis());
            }
        }
    }

    /**
     * A job a dead supervisor started: adopted while Slurm knows it (still queued or running, or ended
     * with a state the next poll reports, a lost node included), and also when Slurm's answer leaves it
     * out but it left no exit status: one answer proves nothing, so the polls follow it until their
     * answers agree that it is gone (then it is cancelled, should it run after all). A job that left an
     * exit status is judged by it. Nothing else is cancelled.
     */
    @Override
    public Recovery recover(AttemptRecord record, RunFiles.AttemptFiles files, Duration grace)
            throws InterruptedException {
        String jobId = record.launch() == null ? null : record.launch().jobId();
        if (jobId == null) {
            // the supervisor died before sbatch answered, or before the journal had the answer
            jobId = byName(record.id().replicate(), record.id().attempt());
        }
        if (jobId == null || !jobId.matches("\\d+")) {
            return new Recovery.Ended(LocalLauncher.recordedExitStatus(files), 0);
        }
        long id = Long.parseLong(jobId);
        String node = record.launch() == null ? null : record.launch().node();
        SlurmAttempt attempt = new SlurmAttempt(id, node, files, client, this, false);
        try {
            SlurmJobStatus status = client.poll(List.of(id)).get(id);
            if (status == null) {
                Integer recorded = LocalLauncher.recordedExitStatus(files);
                if (recorded != null) {
                    return new Recovery.Ended(recorded, 0);
                }
            } else if (!status.name().startsWith(settings.jobNamePrefix())) {
                // a job id of another run (a cluster reinstalled since) must not be taken for ours
                return new Recovery.Ended(LocalLauncher.recordedExitStatus(files), 0);
            } else {
                attempt.observe(status); // seen, so a later poll that misses it counts towards its end
            }
        } catch (SlurmException e) {
            // cannot ask now: adopt it anyway; the polls will tell, or agree that it is gone
            log.warn("recovering job {}: {}", id, e.getMessage());
        }
        return new Recovery.Adopted(follow(attempt));
    }

    /**
     * The run's jobs Slurm still knows, found by their name, {@code <prefix>-r<replicate>-a<attempt>}:
     * one squeue call, tried again until squeue answers (a job missed here would run on unwatched
     * beside a retry). A job Slurm has forgotten is not found; its attempt directory still exists, and
     * the run loop skips that attempt number.
     */
    @Override
    public List<Found> launchedAttempts() throws InterruptedException {
        Pattern name = Pattern.compile(
                Pattern.quote(settings.jobNamePrefix()) + "-r(\\d+)-a(\\d+)");
        List<Found> found = new ArrayList<>();
        for (SlurmJobStatus s : untilAnswered("the run's jobs",
                () -> client.pollByNamePrefix(settings.jobNamePrefix() + "-r"))) {
            Matcher m = name.matcher(s.name());
            if (m.matches()) {
                try {
                    found.add(new Found(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            LaunchIdentity.job(Long.toString(s.jobId()), s.node()), s.started()));
                } catch (NumberFormatException e) {
                    log.warn("job {} has a name like the run's, but no number: {}", s.jobId(), s.name());
                }
            }
        }
        return found;
    }

    /** The id of the job of this replicate and attempt, found by its name (squeue, until it answers), or null. */
    private String byName(int replicate, int attempt) throws InterruptedException {
        String name = settings.jobNamePrefix() + "-r" + replicate + "-a" + attempt;
        Long id = untilAnswered("job " + name, () -> client.acceptedAs(name));
        return id == null ? null : Long.toString(id);
    }

    /** A squeue question whose answer a resume cannot do without. */
    private interface Question<T> {
        T ask() throws SlurmException, InterruptedException;
    }

    private static <T> T untilAnswered(String what, Question<T> question) throws InterruptedException {
        Backoff backoff = new Backoff();
        String said = null;
        while (true) {
            try {
                return question.ask();
            } catch (SlurmException e) {
                if (!e.getMessage().equals(said)) {
                    said = e.getMessage();
                    log.warn("cannot look for {}: {}; trying again, every {} s at most", what, said,
                            Backoff.MOST.toSeconds());
                }
                Thread.sleep(backoff.next().toMillis());
            }
        }
    }

    private SlurmAttempt follow(SlurmAttempt attempt) {
        unfinished.put(attempt.jobId(), attempt);
        return attempt;
    }

    /**
     * One squeue call for every unfinished job. A failed call is tried again, not taken for an attempt's
     * end: at the next poll at first, then after growing waits, so a controller that is down is not
     * asked every second.
     */
    void pollOnce() {
        if (unfinished.isEmpty() || System.nanoTime() - nextPollNanos < 0) {
            return;
        }
        try {
            // the attempts asked about, taken before the call: one submitted while squeue runs is not in its answer
            List<SlurmAttempt> asked = List.copyOf(unfinished.values());
            Map<Long, SlurmJobStatus> states = client.poll(asked.stream().map(SlurmAttempt::jobId).toList());
            for (SlurmAttempt a : asked) {
                if (a.observe(states.get(a.jobId()))) {
                    unfinished.remove(a.jobId());
                }
            }
            if (lastPollProblem != null) {
                log.info("squeue answers again");
                lastPollProblem = null;
            }
            pollBackoff = new Backoff();
        } catch (SlurmException e) {
            nextPollNanos = System.nanoTime() + pollBackoff.next().toNanos();
            // said once per problem, not every second while the controller is down
            if (!e.getMessage().equals(lastPollProblem)) {
                log.warn("cannot read the jobs' states, trying again: {}", e.getMessage());
                lastPollProblem = e.getMessage();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a thread of a scheduled executor dies silently on an exception; never let it
            log.error("polling Slurm: {}", e.toString());
        }
    }

    /** The wrappers' exit status files of the unfinished jobs: a worker that exited 0 need not wait for a poll. */
    void checkExitFiles() {
        try {
            for (SlurmAttempt a : unfinished.values()) {
                if (a.observeExitFile()) {
                    unfinished.remove(a.jobId());
                }
            }
        } catch (RuntimeException e) {
            // a thread of a scheduled executor dies silently on an exception; never let it
            log.error("reading the jobs' exit status files: {}", e.toString());
        }
    }

    ExecutorService killers() {
        return killers;
    }

    Duration forgetAfter() {
        return settings.forgetAfter();
    }

    /** The job, when it is one of this run's (its name has the run's prefix), else null: an id may be reused. */
    SlurmJobStatus ours(SlurmJobStatus job) {
        return job != null && job.name().startsWith(settings.jobNamePrefix()) ? job : null;
    }

    /**
     * Whether Slurm chose this job for preemption (scontrol's PreemptTime; squeue does not say): asked only
     * of a job that ended unfinished after its warning signal, which Slurm sends before the time limit and,
     * where the cluster says so, at preemption. A job chosen with a GraceTime that ends by itself within it
     * ends COMPLETED or FAILED, not PREEMPTED. False when scontrol cannot tell.
     */
    boolean chosenForPreemption(long jobId) {
        try {
            SlurmJobStatus shown = ours(client.showJob(jobId));
            return shown != null && shown.preempted();
        } catch (SlurmException e) {
            log.debug("scontrol cannot tell whether job {} was preempted: {}", jobId, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops polling and submitting; the jobs themselves are left as they are (a resume adopts them). A
     * job whose end was asked for and has not come is named, with the command that ends it: Slurm did
     * not answer its scancel, and it may still run.
     */
    @Override
    public void close() {
        for (SlurmAttempt a : unfinished.values()) {
            if (a.ending()) {
                log.error("job {} may still run: Slurm has not answered its scancel; end it with: scancel {}",
                        a.jobId(), a.jobId());
            }
        }
        submitters.shutdownNow();
        poller.shutdownNow();
        killers.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
