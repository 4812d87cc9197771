package io.isofold.supervisor.slurm;

import io.isofold.shared.WorkerEnv;
import io.isofold.supervisor.exec.ExternalCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Submits, watches and cancels a run's batch jobs through the commands every Slurm login node has
 * ({@code sbatch}, {@code squeue}, {@code scancel}). Every call runs through {@link ExternalCommand},
 * so a controller that does not answer costs at most the command timeout and ends in a one-line
 * {@link SlurmException}, never a hang.
 *
 * <p>Measured on Slurm 22.05.8 (the one-node cluster of scripts/slurm-cluster.sh): a job starts
 * 0.4-0.8 s after sbatch returns; one squeue call takes 60-75 ms. Polls use {@code squeue -O} with
 * a job list, not {@code --json}: see {@link SqueueFormat} for why.
 *
 * <p>Memory: {@code --mem} is passed on, but whether Slurm enforces it is the site's choice. With
 * task/cgroup the kernel's OOM killer ends the job and squeue says OUT_OF_MEMORY. With
 * jobacct_gather's OverMemoryKill (and a CR_*_Memory select type) the job is killed by SIGKILL and
 * ends FAILED, with "Exceeded job memory limit" in its stderr only. With neither (this project's test
 * cluster) nothing happens at all.
 */
public final class SlurmClient {
    /** The signals the supervisor's watchdogs send: TERM, then KILL after the grace. */
    public enum Signal { TERM, KILL }

    /** What {@link #cancel} did. */
    public enum CancelOutcome {
        /** The job was still there: its processes got the signal, or, not started yet, it was cancelled. */
        SENT,
        /** Slurm no longer runs it: it ended or is ending (COMPLETING), or is forgotten. */
        ALREADY_ENDED
    }

    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** How the reason of an attempt whose job sbatch refused begins; sbatch's own words follow the job's name. */
    static final String REFUSED = "sbatch refused job ";

    /**
     * What sbatch says when it could not reach the controller or lost the connection, as opposed to a
     * refusal: Slurm's own error strings (src/common/slurm_errno.c) for communication failures, and
     * munge's when the local munged is down. Such a job may or may not have been taken.
     */
    private static final List<String> NO_ANSWER = List.of("unable to contact slurm controller",
            "communication connection failure", "communication send failure", "communication receive failure",
            "communication shutdown failure", "socket timed out", "zero bytes were transmitted or received",
            "standby mode", "protocol authentication error", "invalid authentication credential",
            "failed to connect to authentication agent", "munge encode failed", "munge decode failed",
            "temporarily unavailable", "temporarily unable", "connection refused", "connection reset",
            "connection timed out", "network is unreachable", "no route to host");

    private final Map<String, String> clientEnvironment;
    private final Duration commandTimeout;
    private final Path commandDir;

    /**
     * @param clientEnvironment set for every Slurm command on top of this process's environment
     *                          ({@code SLURM_CONF} for a private cluster); empty on a real one
     * @param commandTimeout    the longest one command may take
     */
    public SlurmClient(Map<String, String> clientEnvironment, Duration commandTimeout) {
        this(clientEnvironment, commandTimeout, null);
    }

    /**
     * @param commandDir where sbatch, squeue, scancel and scontrol are; null to look them up on PATH. A
     *                   child's PATH does not count: Java finds a program on its own process's PATH
     */
    SlurmClient(Map<String, String> clientEnvironment, Duration commandTimeout, Path commandDir) {
        this.clientEnvironment = Map.copyOf(clientEnvironment);
        this.commandTimeout = commandTimeout;
        this.commandDir = commandDir;
    }

    /**
     * Submits the attempt; returns its job id once Slurm has accepted it. Throws with {@link
     * SlurmException#answer()} true when sbatch refused the job, false when no answer came: then the job
     * may have been taken all the same (a controller that took it and answered too late), and
     * {@link #acceptedAs} tells before it is submitted again.
     */
    public long submit(SlurmSubmission job) throws SlurmException, InterruptedException {
        Path script;
        try {
            script = JobScript.write(job.attemptDir());
        } catch (IOException e) {
            // not Slurm's to answer, and not worth asking Slurm again: a failed attempt
            throw new SlurmException("cannot write the job script into " + job.attemptDir() + ": " + e.getMessage(),
                    true);
        }
        Map<String, String> env = new LinkedHashMap<>(clientEnvironment);
        // sbatch's --export=ALL,VAR=value splits at commas (ISOFOLD_PARAMS is JSON): the attempt's
        // variables go into sbatch's own environment instead, which --export=ALL copies as it is
        env.putAll(job.environment());
        env.putIfAbsent(WorkerEnv.ATTEMPT_DIR, job.attemptDir().toString());
        env.put(JobScript.GPU_REQUESTED, job.gpu() ? "1" : "0");
        ExternalCommand.Result r;
        try {
            r = ExternalCommand.run(command(sbatchArgv(job, script)), commandTimeout, env);
        } catch (ExternalCommand.Failed e) {
            // not installed is an answer of sorts: asking again finds no sbatch either
            throw new SlurmException(slurmException(e).getMessage(), e.notFound());
        }
        if (!r.ok()) {
            // killed by a signal (128 + n), or Slurm's words for a lost connection: no answer
            boolean answer = r.exitCode() < 128 && !noAnswer(r);
            throw new SlurmException((answer ? REFUSED : "sbatch got no answer for job ") + job.name()
                    + ": " + r.firstLine(), answer);
        }
        // --parsable prints "id" or, on a multi-cluster site, "id;cluster"
        String first = r.stdout().strip().split("\n")[0].split(";")[0].strip();
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            // an answer isofold cannot read (a site's sbatch wrapper that prints more): the job is looked for by name
            throw new SlurmException("sbatch printed no job id for " + job.name() + ": '" + r.firstLine() + "'");
        }
    }

    /**
     * The id of the job named {@code name} when Slurm has one, else null: whether an sbatch that got no
     * answer (ran past its time limit, lost its connection) submitted the job after all. A busy
     * controller can take a job and answer too late; taken for not submitted, the job would run on
     * unwatched while a retry ran the same replicate again. Asked twice, a second apart, in case the
     * controller was still registering the job; both answers must agree that there is none.
     */
    public Long acceptedAs(String name) throws SlurmException, InterruptedException {
        for (int ask = 0; ask < 2; ask++) {
            if (ask > 0) {
                Thread.sleep(1000);
            }
            List<SlurmJobStatus> taken = jobsNamed(name);
            if (!taken.isEmpty()) {
                return taken.get(0).jobId();
            }
        }
        return null;
    }

    static List<String> sbatchArgv(SlurmSubmission job, Path script) throws SlurmException {
        List<String> argv = new ArrayList<>();
        argv.add("sbatch");
        argv.add("--parsable");
        argv.add("--job-name=" + job.name());
        argv.add("--output=" + filenamePattern(job.stdout()));
        argv.add("--error=" + filenamePattern(job.stderr()));
        argv.add("--open-mode=append");
        if (job.workdir() != null) {
            argv.add("--chdir=" + job.workdir()); // a relative worker command means the run's folder, not the resume's
        }
        argv.add("--export=ALL");
        // one job is one attempt: a job Slurm requeued would run again in the same attempt directory,
        // over its first run's files; isofold retries it as a new attempt instead
        argv.add("--no-requeue");
        if (job.gpu()) {
            argv.add("--gres=gpu:1");
        }
        if (job.memoryBytes() != null) {
            argv.add("--mem=" + ceilDiv(job.memoryBytes(), 1L << 20) + "M");
        }
        if (job.timeLimit() != null) {
            argv.add("--time=" + Math.max(1, ceilDiv(job.timeLimit().toSeconds(), 60)));
            if (job.warning() != null) {
                // B: the batch script alone gets USR1 this long before the time limit (Slurm sends it up
                // to a minute early, never late), and passes TERM on to the worker: see JobScript
                argv.add("--signal=B:USR1@" + Math.max(1, ceilDiv(job.warning().toMillis(), 1000)));
            }
        }
        argv.addAll(job.sbatchOptions());
        argv.add(script.toString());
        // after the script, sbatch hands everything to the script untouched, options included
        argv.addAll(job.command());
        return argv;
    }

    /**
     * States of the given jobs, in one squeue call. A job Slurm has forgotten (ended more than
     * MinJobAge ago, 300 s by default) is missing from the answer; the attempt's exit_status file is
     * then the record.
     */
    public Map<Long, SlurmJobStatus> poll(Collection<Long> jobIds) throws SlurmException, InterruptedException {
        if (jobIds.isEmpty()) {
            return Map.of();
        }
        String ids = new TreeSet<>(jobIds).stream().map(String::valueOf).collect(Collectors.joining(","));
        List<String> argv = List.of("squeue", "--noheader", "--states=all", "--jobs=" + ids,
                "--Format=" + SqueueFormat.COLUMNS);
        ExternalCommand.Result r = run(argv, clientEnvironment);
        if (!r.ok()) {
            // asked only for jobs it has forgotten, squeue fails instead of printing nothing
            if (r.stderr().contains("Invalid job id specified")) {
                return Map.of();
            }
            throw new SlurmException("squeue failed: " + r.firstLine());
        }
        Map<Long, SlurmJobStatus> byId = new HashMap<>();
        for (SlurmJobStatus s : SqueueFormat.parse(r.stdout())) {
            if (jobIds.contains(s.jobId())) {
                byId.put(s.jobId(), s);
            }
        }
        return byId;
    }

    /**
     * This user's jobs whose name starts with {@code prefix}, in one squeue call: how a supervisor
     * finds the jobs of a run it did not get to record (it died between sbatch and the journal).
     */
    public List<SlurmJobStatus> pollByNamePrefix(String prefix) throws SlurmException, InterruptedException {
        List<String> argv = List.of("squeue", "--noheader", "--states=all", "--me",
                "--Format=" + SqueueFormat.COLUMNS);
        ExternalCommand.Result r = run(argv, clientEnvironment);
        if (!r.ok()) {
            throw new SlurmException("squeue failed: " + r.firstLine());
        }
        return SqueueFormat.parse(r.stdout()).stream().filter(s -> s.name().startsWith(prefix)).toList();
    }

    /**
     * This user's jobs named exactly {@code name} (no commas: squeue reads a list), in one squeue
     * call that prints only those: squeue filters by name itself, so it costs no listing of every job
     * the controller still keeps.
     */
    public List<SlurmJobStatus> jobsNamed(String name) throws SlurmException, InterruptedException {
        List<String> argv = List.of("squeue", "--noheader", "--states=all", "--me", "--name=" + name,
                "--Format=" + SqueueFormat.COLUMNS);
        ExternalCommand.Result r = run(argv, clientEnvironment);
        if (!r.ok()) {
            throw new SlurmException("squeue failed: " + r.firstLine());
        }
        return SqueueFormat.parse(r.stdout()).stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * The job as {@code scontrol show job} sees it, or null when Slurm says it has no such job: a second
     * opinion before a job squeue no longer lists is taken for gone. Throws when scontrol gives no answer
     * (not installed, the controller unreachable).
     */
    public SlurmJobStatus showJob(long jobId) throws SlurmException, InterruptedException {
        ExternalCommand.Result r = run(List.of("scontrol", "--oneliner", "show", "job", Long.toString(jobId)),
                clientEnvironment);
        if (!r.ok()) {
            if (r.stderr().contains("Invalid job id specified")) {
                return null;
            }
            throw new SlurmException("scontrol show job " + jobId + " failed: " + r.firstLine());
        }
        for (String line : r.stdout().split("\n")) {
            SlurmJobStatus s = ScontrolFormat.parseLine(line);
            if (s != null && s.jobId() == jobId) {
                return s;
            }
        }
        throw new SlurmException("scontrol show job " + jobId + " printed no such job: '" + r.firstLine() + "'");
    }

    /**
     * Signals a job's processes: the batch script, the worker and anything else in the job. TERM to a
     * job that has not started yet cancels it, since there is nothing to end gracefully. Throws when
     * scancel gives no answer or fails for any reason but the job being over: the caller tries again.
     */
    public CancelOutcome cancel(long jobId, Signal signal) throws SlurmException, InterruptedException {
        String id = Long.toString(jobId);
        if (signal == Signal.TERM) {
            // scancel --signal=TERM of a pending job does not fail: it retries "Job can not be altered
            // now" for about 95 s (measured). The state filters make each call a no-op for a job in
            // the other state, and in this order a job that starts between the two still gets TERM.
            if (scancel(List.of("scancel", "--state=PENDING", id), jobId) == CancelOutcome.ALREADY_ENDED) {
                return CancelOutcome.ALREADY_ENDED;
            }
            // --full: without it scancel sends signals other than KILL to job steps only, and an attempt
            // is a batch script without steps, so TERM would reach nothing (measured). When the first
            // call cancelled the job, this one finds it ended; it was still there when asked: SENT.
            scancel(List.of("scancel", "--state=RUNNING", "--full", "--signal=TERM", id), jobId);
            return CancelOutcome.SENT;
        }
        // KILL cancels the job in any state: it ends CANCELLED, ExitCode 0:9
        return scancel(List.of("scancel", "--full", "--signal=KILL", id), jobId);
    }

    private CancelOutcome scancel(List<String> argv, long jobId) throws SlurmException, InterruptedException {
        ExternalCommand.Result r = run(argv, clientEnvironment);
        if (r.ok()) {
            return CancelOutcome.SENT;
        }
        // what scancel says of a job that ended, is COMPLETING, or was never known
        if (r.stderr().contains("Invalid job id specified") || r.stderr().contains("already completing or completed")) {
            return CancelOutcome.ALREADY_ENDED;
        }
        throw new SlurmException("scancel of job " + jobId + " failed: " + r.firstLine());
    }

    private ExternalCommand.Result run(List<String> argv, Map<String, String> env)
            throws SlurmException, InterruptedException {
        try {
            return ExternalCommand.run(command(argv), commandTimeout, env);
        } catch (ExternalCommand.Failed e) {
            throw slurmException(e);
        }
    }

    private List<String> command(List<String> argv) {
        if (commandDir == null) {
            return argv;
        }
        List<String> inDir = new ArrayList<>(argv);
        inDir.set(0, commandDir.resolve(argv.get(0)).toString());
        return inDir;
    }

    /** Whether a failed command's words are Slurm's (or munge's) for a lost connection. */
    private static boolean noAnswer(ExternalCommand.Result r) {
        String said = (r.stderr() + "\n" + r.stdout()).toLowerCase(java.util.Locale.ROOT);
        return NO_ANSWER.stream().anyMatch(said::contains);
    }

    private static SlurmException slurmException(ExternalCommand.Failed e) {
        return new SlurmException(e.notFound()
                ? e.getMessage() + " (is this a Slurm login node? is Slurm's bin directory on PATH?)"
                : e.getMessage());
    }

    /** sbatch expands %j, %u... in --output; %% is a literal %. A backslash turns the expansion off in odd ways. */
    static String filenamePattern(Path file) throws SlurmException {
        String path = file.toString();
        if (path.indexOf('\\') >= 0) {
            throw new SlurmException("sbatch cannot write to a path with a backslash: " + path, true);
        }
        return path.replace("%", "%%");
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
