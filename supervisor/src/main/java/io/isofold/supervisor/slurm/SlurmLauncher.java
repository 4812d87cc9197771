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
 */
public final class SlurmLauncher implements WorkerLauncher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SlurmLauncher.class);

    /**
     * @param jobNamePrefix names the run's jobs: {@code <prefix>-r<replicate>-a<attempt>}
     * @param gpu           one GPU per job ({@code --gres=gpu:1}), or none
     * @param memoryBytes   {@code --mem} from --max-memory; null for none
     * @param timeLimit     Slurm's {@code --time}, a backstop behind isofold's own --timeout; null for none
     * @param sbatchOptions the user's --slurm-opt arguments
     */
    public record Settings(String jobNamePrefix, boolean gpu, Long memoryBytes, Duration timeLimit,
            List<String> sbatchOptions, Duration pollInterval) {
        public Settings {
            sbatchOptions = List.copyOf(sbatchOptions);
        }
    }

    private final SlurmClient client;
    private final Settings settings;
    private final Map<Long, SlurmAttempt> unfinished = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(daemon("isofold-squeue"));
    private final ExecutorService killers = Executors.newCachedThreadPool(daemon("isofold-scancel"));
    private final ExecutorService submitters;
    private String lastPollProblem; // poller thread only

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
                settings.sbatchOptions());
        SlurmAttempt attempt = new SlurmAttempt(files, client, this);
        try {
            submitters.execute(() -> submit(job, attempt));
        } catch (RejectedExecutionException e) {
            attempt.refused("not submitted: the launcher is closed");
        }
        return attempt;
    }

    /** On a submit thread: sbatch, then the polls follow the job. */
    private void submit(SlurmSubmission job, SlurmAttempt attempt) {
        if (!attempt.toSubmit()) {
            return;
        }
        try {
            long id = client.submit(job);
            log.debug("{} is job {}", job.name(), id);
            attempt.submitted(id); // first: the loop learns the id before any poll can end the attempt
            follow(attempt);
        } catch (SlurmException e) {
            attempt.refused(e.getMessage());
        } catch (InterruptedException e) {
            attempt.refused("interrupted while submitting " + job.name());
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a thread of a pool must not swallow it: the attempt would wait for an id forever
            attempt.refused("submitting " + job.name() + " failed: " + e);
        }
    }

    /**
     * A job a dead supervisor started: adopted while Slurm knows it (still queued or running, or ended
     * with a state the next poll reports, a lost node included); otherwise judged from the exit status
     * its wrapper wrote. Nothing is cancelled.
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
        SlurmAttempt attempt = new SlurmAttempt(id, record.launch().node(), files, client, this, false);
        try {
            SlurmJobStatus status = client.poll(List.of(id)).get(id);
            if (status == null) {
                return new Recovery.Ended(LocalLauncher.recordedExitStatus(files), 0);
            }
            // a job id of another run (a cluster reinstalled since) must not be taken for ours
            if (!status.name().startsWith(settings.jobNamePrefix())) {
                return new Recovery.Ended(LocalLauncher.recordedExitStatus(files), 0);
            }
            attempt.observe(status); // seen, so a later poll that misses it means Slurm forgot it
        } catch (SlurmException e) {
            // cannot ask now: adopt it anyway; the polls will tell, or forget it and read the file
            log.warn("recovering job {}: {}", id, e.getMessage());
        }
        return new Recovery.Adopted(follow(attempt));
    }

    /**
     * The run's jobs Slurm still knows, found by their name, {@code <prefix>-r<replicate>-a<attempt>}:
     * one squeue call. A job Slurm has forgotten is not found; its attempt directory still exists, and
     * the run loop skips that attempt number.
     */
    @Override
    public List<Found> launchedAttempts() throws InterruptedException {
        Pattern name = Pattern.compile(
                Pattern.quote(settings.jobNamePrefix()) + "-r(\\d+)-a(\\d+)");
        List<Found> found = new ArrayList<>();
        try {
            for (SlurmJobStatus s : client.pollByNamePrefix(settings.jobNamePrefix() + "-r")) {
                Matcher m = name.matcher(s.name());
                if (m.matches()) {
                    found.add(new Found(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            LaunchIdentity.job(Long.toString(s.jobId()), s.node()),
                            s.started()));
                }
            }
        } catch (SlurmException | NumberFormatException e) {
            log.warn("cannot look for the run's jobs by name: {}", e.getMessage());
        }
        return found;
    }

    /** The id of the job of this replicate and attempt, found by its name (one squeue call), or null. */
    private String byName(int replicate, int attempt) throws InterruptedException {
        String name = settings.jobNamePrefix() + "-r" + replicate + "-a" + attempt;
        try {
            return client.jobsNamed(name).stream().map(s -> Long.toString(s.jobId())).findFirst().orElse(null);
        } catch (SlurmException e) {
            log.warn("cannot look for job {} by its name: {}", name, e.getMessage());
            return null;
        }
    }

    private SlurmAttempt follow(SlurmAttempt attempt) {
        unfinished.put(attempt.jobId(), attempt);
        return attempt;
    }

    /** One squeue call for every unfinished job. A failed call is retried at the next poll, not an attempt's end. */
    void pollOnce() {
        if (unfinished.isEmpty()) {
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
        } catch (SlurmException e) {
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

    /** Stops polling and submitting; the jobs themselves are left as they are (a resume adopts them). */
    @Override
    public void close() {
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
