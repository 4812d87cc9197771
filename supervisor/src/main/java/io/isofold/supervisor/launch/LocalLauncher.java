package io.isofold.supervisor.launch;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.watch.AttemptProcesses;
import io.isofold.supervisor.watch.OrphanSweep;
import io.isofold.supervisor.proc.ProcessTable;
import io.isofold.supervisor.watch.ProcessTreeKiller;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.isofold.shared.WorkerEnv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an attempt as a local child process in a session and process group of its own, through
 * util-linux {@code setsid}: ProcessBuilder cannot do that itself, and a group of its own keeps a
 * terminal's Ctrl-C away from workers. Output goes straight to files, never through pipes, so no
 * pump thread can hang on a grandchild that keeps a pipe open.
 *
 * <p>A small {@code sh} stands between setsid and the worker and writes the worker's exit status to
 * {@value RunFiles.AttemptFiles#EXIT_STATUS} in the attempt directory (for a standby worker, in its own
 * folder, where the supervisor links that name to the attempt directory it hands the standby). If the supervisor dies while the worker runs,
 * the next supervisor reads the status there and judges the attempt as it would have, instead of
 * running a completed replicate again. The worker's arguments reach it as "$@", never parsed by
 * the shell, so they arrive literally.
 */
public final class LocalLauncher implements WorkerLauncher {
    private static final Logger log = LoggerFactory.getLogger(LocalLauncher.class);
    // The trap keeps the wrapper alive through a SIGTERM so that it reports the worker's own status
    // (a worker that ignores TERM is still running); a caught signal, unlike an ignored one, is reset
    // to its default in the worker. One short write: a reader sees the whole number or, mid-write,
    // an unparsable file it ignores.
    // The file is the wrapper's first argument, not a path built from the environment: a standby
    // worker has no attempt directory when it starts.
    private static final String WRAPPER = "trap : TERM INT; f=$1; shift; \"$@\"; s=$?; "
            + "printf '%s\\n' \"$s\" > \"$f\"; exit \"$s\"";
    /** A /proc scan is shared by every attempt's memory check within this long. */
    private static final long SCAN_REUSE_NANOS = 100_000_000L;

    private final ExecutorService killers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "isofold-kill");
        t.setDaemon(true);
        return t;
    });
    private ProcessTable lastScan;
    private long lastScanNanos;

    @Override
    public LocalAttempt launch(LaunchRequest request) throws IOException {
        List<String> argv = new ArrayList<>(request.command().size() + 6);
        // --wait: should setsid have to fork, it still waits and passes on the worker's exit status
        argv.add("setsid");
        argv.add("--wait");
        argv.add("/bin/sh");
        argv.add("-c");
        argv.add(WRAPPER);
        argv.add("isofold-attempt"); // $0 of the wrapper, as ps shows it
        argv.add(request.files().exitStatus().toString());
        argv.addAll(request.command());
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(request.files().stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(request.files().stderr().toFile()));
        pb.environment().putAll(request.environment());
        if (request.workdir() != null) {
            pb.directory(request.workdir().toFile());
        }
        Process process = pb.start();
        long pid = process.pid();
        // setsid runs in the child before it execs the worker; the session is the pid once it has
        ProcessTable.Entry entry = ProcessTable.read(pid).orElse(null);
        long startTicks = entry == null ? 0 : entry.startTicks();
        String standby = request.environment().get(WorkerEnv.STANDBY);
        AttemptProcesses processes = new AttemptProcesses(pid, pid, startTicks, standby != null
                ? AttemptProcesses.Marker.standby(standby)
                : AttemptProcesses.Marker.attemptDir(request.files().dir().toString()));
        return new LocalAttempt(process, processes, LaunchIdentity.process(pid, pid, startTicks, ProcessTable.bootId()),
                request.files().exitStatus(), this);
    }

    /**
     * A dead supervisor's attempt: its exit status if the wrapper wrote one (read before anything is
     * killed, since the wrapper outlives a SIGTERM and would record the status the kill caused), then
     * whatever of it still runs is ended. Its processes are known by pid, session and start time only
     * when they are of this boot and its exit status does not prove the worker ended; otherwise only by
     * the ISOFOLD_ATTEMPT_DIR they carry, so a reused pid or session is never taken for them.
     */
    @Override
    public Recovery recover(AttemptRecord unfinished, RunFiles.AttemptFiles files, Duration grace)
            throws InterruptedException {
        Integer exitStatus = recordedExitStatus(files);
        LaunchIdentity launch = unfinished.launch();
        String marker = files.dir().toString();
        boolean sameBoot = launch != null && launch.pid() != null && launch.startTicks() != null
                && ProcessTable.bootId().equals(launch.bootId());
        AttemptProcesses processes = exitStatus == null && sameBoot
                ? new AttemptProcesses(launch.pid(), launch.sid() == null ? -1 : launch.sid(), launch.startTicks(), marker)
                : AttemptProcesses.byMarker(marker);
        int killed = ProcessTreeKiller.kill(processes, grace);
        return new Recovery.Ended(exitStatus, killed);
    }

    @Override
    public boolean endsWhatItRecovers() {
        return true;
    }

    /**
     * Every process whose ISOFOLD_ATTEMPT_DIR lies under the run's replicates, or whose ISOFOLD_STANDBY
     * lies under its standby folder, whoever started it; then the standby folder itself (an attempt that
     * was a standby has its output in its own directory).
     */
    @Override
    public Map<String, Integer> endLeftovers(RunFiles run, Duration grace) throws InterruptedException {
        Map<String, Integer> killed = new LinkedHashMap<>(
                OrphanSweep.killOrphans(WorkerEnv.ATTEMPT_DIR, run.replicates() + "/", grace));
        killed.putAll(OrphanSweep.killOrphans(WorkerEnv.STANDBY, run.standby() + "/", grace));
        if (Files.isDirectory(run.standby())) {
            try {
                MoreFiles.deleteRecursively(run.standby(), RecursiveDeleteOption.ALLOW_INSECURE);
            } catch (IOException e) {
                log.warn("cannot remove {} left by an earlier supervisor: {}", run.standby(), e.toString());
            }
        }
        return killed;
    }

    /**
     * The exit status the launcher's wrapper wrote when the worker ended, or null if it did not end by
     * itself. The Slurm backend's job script writes the same file.
     */
    public static Integer recordedExitStatus(RunFiles.AttemptFiles files) {
        try {
            return Integer.valueOf(Files.readString(files.exitStatus()).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    ExecutorService killers() {
        return killers;
    }

    /** One /proc scan for all attempts' memory checks of a tick, not one per attempt. */
    synchronized ProcessTable recentScan() {
        long now = System.nanoTime();
        if (lastScan == null || now - lastScanNanos > SCAN_REUSE_NANOS) {
            lastScan = ProcessTable.scan();
            lastScanNanos = now;
        }
        return lastScan;
    }
}
