package io.isofold.supervisor.slurm;

import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.spec.RunSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run on {@code --backend slurm} is made of: its launcher, its slots, and the checks that can
 * be made from the login node before anything is submitted.
 */
public final class SlurmRun {
    private static final Logger log = LoggerFactory.getLogger(SlurmRun.class);
    /**
     * One squeue call for all the run's jobs this often. An ended job is noticed half of it later on
     * average; ISOFOLD_SLURM_POLL (a duration) changes it.
     */
    static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    /** Slurm checks --time about every 30 s: its backstop comes this long after isofold's own kill would have ended. */
    static final Duration BACKSTOP_MARGIN = Duration.ofMinutes(1);
    private static final List<String> NODE_LOCAL = List.of("/tmp/", "/var/tmp/", "/dev/shm/", "/run/");

    private SlurmRun() {}

    /**
     * The launcher of the run's jobs, after checking that Slurm answers from here (a login node with
     * sbatch and squeue on PATH and a controller that responds): exit 2 now, rather than every attempt
     * failing one after the other.
     */
    public static SlurmLauncher launcher(RunSpec spec) throws BadInput {
        SlurmClient client = new SlurmClient(Map.of(), commandTimeout());
        String prefix = jobNamePrefix(spec.outDir());
        try {
            client.jobsNamed(prefix); // no job has that very name: an answer that lists nothing
        } catch (SlurmException e) {
            throw new BadInput("--backend slurm: Slurm does not answer here: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInput("interrupted while asking Slurm");
        }
        RunSpec.Placement p = spec.placement();
        SlurmLauncher.Settings settings = new SlurmLauncher.Settings(prefix, !p.gpus().none(),
                spec.maxMemoryBytes(), backstop(spec), p.slurmOptions(), pollInterval(), spec.killGrace(),
                SlurmLauncher.Settings.DEFAULT_FORGET_AFTER);
        return new SlurmLauncher(client, settings);
    }

    /**
     * One slot per job the run may have queued at once (--max-running), or more when a resume adopts
     * more jobs than that: adopted jobs are never cancelled to honour a lower cap.
     */
    public static List<Slot> slots(RunSpec spec, int adopted) {
        Slot.ClusterJob job = spec.placement().gpus().none() ? Slot.ClusterJob.CPU
                : Slot.ClusterJob.GPU;
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < Math.max(spec.placement().maxRunning(), adopted); i++) {
            slots.add(Slot.cluster(i, job));
        }
        return slots;
    }

    /**
     * Slurm's --time: isofold ends an attempt at --timeout itself, to the second; Slurm's limit only
     * catches a job whose supervisor is gone, after the kill grace and Slurm's own check interval.
     */
    static Duration backstop(RunSpec spec) {
        return spec.timeout() == null ? null : spec.timeout().plus(spec.killGrace()).plus(BACKSTOP_MARGIN);
    }

    /**
     * Names the run's jobs, {@code isofold-<dir name>-<hash of the dir>}: the same on every resume, so
     * a new supervisor finds the jobs a dead one submitted, and distinct per output directory.
     */
    public static String jobNamePrefix(Path outDir) {
        String name = outDir.getFileName() == null ? "run" : outDir.getFileName().toString();
        String readable = name.replaceAll("[^A-Za-z0-9._]", "_");
        if (readable.length() > 24) {
            readable = readable.substring(0, 24);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(outDir.toString().getBytes(StandardCharsets.UTF_8));
            return "isofold-" + readable + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /**
     * sbatch's words when it refused every job that ended since {@code since} (an account or partition
     * that does not exist, a limit of the site's), else null: more attempts get the same answer, and
     * only other sbatch options (a resume with --slurm-opt) can change it.
     */
    public static String refusedEverything(RunHistory history, Instant since) {
        String words = null;
        Instant latest = null;
        for (AttemptRecord a : history.attempts()) {
            if (a.outcome() == null || a.outcome().ended() == null || a.outcome().ended().isBefore(since)) {
                continue;
            }
            String reason = a.outcome().reason();
            if (reason == null || !reason.startsWith(SlurmClient.REFUSED)) {
                return null;
            }
            if (latest == null || a.outcome().ended().isAfter(latest)) {
                latest = a.outcome().ended();
                int colon = reason.indexOf(": ");
                words = colon < 0 ? reason : reason.substring(colon + 2);
            }
        }
        return words;
    }

    /**
     * Compute nodes read the worker, its data and the attempt directories where the login node wrote
     * them: a path on a node-local file system is almost surely a mistake. Said, not refused, since a
     * one-node cluster (or a site that mounts /tmp shared) is fine with it.
     */
    public static void warnNodeLocal(String what, Path path) {
        String p = path.toAbsolutePath().normalize() + "/";
        for (String local : NODE_LOCAL) {
            if (p.startsWith(local)) {
                log.warn("{} {} is on {}, which compute nodes usually do not share; the jobs may not find it",
                        what, path, local);
                return;
            }
        }
    }

    /** The longest one sbatch, squeue or scancel may take: ISOFOLD_SLURM_COMMAND_TIMEOUT, or 30 s. */
    private static Duration commandTimeout() {
        return fromEnvironment("ISOFOLD_SLURM_COMMAND_TIMEOUT", SlurmClient.DEFAULT_COMMAND_TIMEOUT, Duration.ofSeconds(1));
    }

    private static Duration pollInterval() {
        return fromEnvironment("ISOFOLD_SLURM_POLL", DEFAULT_POLL, Duration.ofMillis(100));
    }

    /** A duration the variable gives (at least {@code floor}), or {@code fallback} with a warning when it gives none. */
    private static Duration fromEnvironment(String variable, Duration fallback, Duration floor) {
        String given = System.getenv(variable);
        if (given == null || given.isBlank()) {
            return fallback;
        }
        try {
            Duration d = Durations.parse(given.trim());
            return d.compareTo(floor) < 0 ? floor : d;
        } catch (IllegalArgumentException e) {
            log.warn("{}={} is not a duration; using {}", variable, given, Durations.format(fallback));
            return fallback;
        }
    }
}
