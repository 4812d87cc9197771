package io.isofold.supervisor.cli;

import io.isofold.supervisor.exec.ExternalCommand;
import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuHealth;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.gpu.HealthWatch;
import io.isofold.supervisor.gpu.HealthReport;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.LogCappedLauncher;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.standby.StandbyLauncher;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.progress.Console;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.schedule.DryRun;
import io.isofold.supervisor.schedule.RunLoop;
import io.isofold.supervisor.schedule.RunSetup;
import io.isofold.supervisor.slurm.SlurmRun;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.GpuRequest;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code run} and {@code resume} do once they have a spec: take the directory, run the loop, say how it ended. */
final class RunExecution {
    private static final Logger log = LoggerFactory.getLogger(RunExecution.class);
    private static final Duration CONSOLE_DRAIN = Duration.ofSeconds(3);
    /** How often the GPUs' health counters are read during a run. */
    private static final Duration HEALTH_EVERY = Duration.ofSeconds(30);

    private RunExecution() {}

    /** A {@code run} (no resume): it may take an empty directory, or go on with the same spec in one. */
    static int execute(RunSpec spec) {
        return execute(spec, false, Set.of());
    }

    /**
     * @param resuming   whether this is {@code resume DIR} (which may change the worker command)
     * @param liftedGpus GPUs named by a resume's --gpus: back in the run if an earlier session quarantined them
     */
    static int execute(RunSpec spec, boolean resuming, Set<Integer> liftedGpus) {
        Console console = Console.get();
        boolean slurm = spec.placement().slurm();
        List<Slot> slots;
        WorkerCommand workerCommand;
        WorkerLauncher launcher;
        try {
            // on Slurm the scheduler places jobs on GPUs this machine (a login node) does not have
            slots = slurm ? List.of() : slots(spec);
            workerCommand = workerCommand(spec, slots);
            checkArgumentSize(spec, slurm ? SlurmRun.slots(spec, 0) : slots, workerCommand);
            WorkerLauncher backend = slurm ? slurmLauncher(spec) : spec.standby()
                    ? new StandbyLauncher(new LocalLauncher(), new RunFiles(spec.outDir()), workerCommand, spec.killGrace())
                    : new LocalLauncher();
            launcher = spec.limits().maxLogSize() == null ? backend
                    : new LogCappedLauncher(backend, spec.limits().maxLogSize());
        } catch (BadInput e) {
            return badInput(e.getMessage());
        }
        boolean closed = false;
        try (RunSetup setup = RunSetup.prepare(spec, launcher, resuming)) {
            SupervisorLog.attachFile(new RunFiles(spec.outDir()).log());
            setup.warnings().forEach(log::warn);
            if (slurm) {
                slots = SlurmRun.slots(spec, setup.adopted().size());
            }
            JournalReports reports = new JournalReports(spec, slots);
            RunLoop loop = new RunLoop(spec, slots, workerCommand, setup.launcher(), setup.journal(), setup.history(),
                    setup.adopted(), ProgressDisplay.forConsole(), reports, liftedGpus);
            Signals.forward(loop);
            Instant began = Instant.now();
            ExitStatus status;
            // GPU health counters are read with nvidia-smi here: of no use for GPUs on other machines
            try (HealthWatch health = slurm ? null : healthWatch(slots)) {
                if (health != null) {
                    loop.gpusSick(health.readNow()); // before any launch
                    health.start(HEALTH_EVERY, loop::gpusSick);
                }
                status = loop.run();
            }
            if (launcher instanceof AutoCloseable c) {
                closeQuietly(c); // while the run is still locked: no standby outlives its supervisor's hold
                closed = true;
            }
            // the loop's last event said "run ended: ... (exit status N)" already, on the console and in the log
            String reason = loop.stopReason();
            console.line(reports.summaryTable());
            String refusal = slurm && status != ExitStatus.COMPLETE
                    ? SlurmRun.refusedEverything(setup.history(), began) : null;
            if (reason != null && status != ExitStatus.COMPLETE) {
                console.error("isofold: " + reason);
            }
            if (refusal != null) {
                console.error("isofold: sbatch refused every job: " + refusal);
            }
            console.line("results in " + spec.outDir());
            if (status.resumable()) {
                console.line("to go on: " + Installation.launcher() + " resume " + spec.outDir()
                        + (refusal != null ? REFUSAL_HINT : resumeHint(reason)));
            }
            console.close(CONSOLE_DRAIN);
            return status.code();
        } catch (BadInput e) {
            return badInput(e.getMessage());
        } catch (IOException e) {
            console.error("isofold: " + e.getMessage());
            console.close(CONSOLE_DRAIN);
            return ExitStatus.INCOMPLETE.code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.INTERRUPTED.code();
        } finally {
            if (!closed && launcher instanceof AutoCloseable c) {
                closeQuietly(c);
            }
        }
    }

    /**
     * {@code --dry-run}: the first attempts' commands and environments as a launch would resolve them (the
     * contract's variables, the slot's GPU, the CPU threads), printed; nothing is created or started.
     */
    static int dryRun(RunSpec spec) {
        List<Slot> slots;
        WorkerCommand command;
        try {
            slots = spec.placement().slurm() ? SlurmRun.slots(spec, 0) : slots(spec);
            command = workerCommand(spec, slots);
        } catch (BadInput e) {
            return badInput(e.getMessage());
        }
        StringBuilder out = new StringBuilder("dry run: nothing is started or created; the first attempts would be:\n");
        for (LaunchRequest r : DryRun.firstAttempts(spec, slots, command)) {
            out.append('\n').append(r.task().model()).append(", replicate ").append(r.task().replicate())
                    .append(" (fold ").append(r.task().fold()).append(" of shuffle ").append(r.task().shuffle())
                    .append(") on ").append(r.slot().label()).append('\n');
            out.append("  cd ").append(ShellWords.quote(r.workdir() != null ? r.workdir().toString() : ".")).append('\n');
            out.append("  ").append(String.join(" ", r.command().stream().map(ShellWords::quote).toList())).append('\n');
            new java.util.TreeMap<>(r.environment()).forEach((k, v) ->
                    out.append("    ").append(k).append('=').append(ShellWords.quote(v)).append('\n'));
        }
        Console.get().line(out.toString().stripTrailing());
        Console.get().close(CONSOLE_DRAIN);
        return ExitStatus.COMPLETE.code();
    }

    /**
     * A variant whose params make the worker's environment too large for the kernel failed every attempt
     * with "Argument list too long" at its launch: refused now, before anything is created.
     */
    private static void checkArgumentSize(RunSpec spec, List<Slot> slots, WorkerCommand command) throws BadInput {
        long argMax = argMax();
        for (LaunchRequest r : DryRun.firstOfEachVariant(spec, slots, command)) {
            var problem = WorkerCommand.tooLarge(r, System.getenv(), argMax);
            if (problem.isPresent()) {
                throw new BadInput("variant '" + r.task().model() + "': " + problem.get());
            }
        }
    }

    /** The system's ARG_MAX; Linux's usual 2 MiB when getconf cannot tell. */
    private static long argMax() {
        try {
            ExternalCommand.Result r = ExternalCommand.run(List.of("getconf", "ARG_MAX"), Duration.ofSeconds(5));
            return r.ok() ? Long.parseLong(r.stdout().strip()) : 2L << 20;
        } catch (ExternalCommand.Failed | NumberFormatException e) {
            return 2L << 20;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2L << 20;
        }
    }

    /** The Slurm launcher, once Slurm answers; and a word on paths the compute nodes must see. */
    private static WorkerLauncher slurmLauncher(RunSpec spec) throws BadInput {
        if (spec.command().stream().anyMatch(a -> a.contains("{gpu}"))) {
            // the job learns its GPU only when it starts, long after its command was written
            throw new BadInput("on --backend slurm the worker command cannot use {gpu}: Slurm chooses the GPU when "
                    + "the job starts; read ISOFOLD_GPU or CUDA_VISIBLE_DEVICES in the worker instead");
        }
        SlurmRun.warnNodeLocal("the output directory", spec.outDir());
        if (spec.builtInWorker()) {
            SlurmRun.warnNodeLocal("the worker jar", Installation.workerJar());
            if (spec.data() != null) {
                SlurmRun.warnNodeLocal("--data", Path.of(spec.data()));
            }
        } else if (spec.command().get(0).contains("/")) {
            SlurmRun.warnNodeLocal("the worker command", Path.of(spec.command().get(0)));
        }
        return SlurmRun.launcher(spec);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing the launcher: {}", e.toString());
        }
    }

    /**
     * When sbatch refused every job, more attempts get the same answer: other sbatch options are what a
     * resume needs (given on a resume, --slurm-opt replaces every recorded one).
     */
    private static final String REFUSAL_HINT = " --slurm-opt=<sbatch option> ... (all of them: they replace"
            + " the recorded ones)";

    /** The option that lets a resume get further, when a limit is why the run ended short. */
    private static String resumeHint(String reason) {
        if (reason == null) {
            return "";
        }
        if (reason.contains("failed the same way")) {
            // more of the same attempts would fail alike: what helps is a fixed worker
            return " -- <the fixed worker command> (or --retry-identical 0 to retry them as they are)";
        }
        if (reason.contains("--attempt-budget")) {
            return " --attempt-budget <more>";
        }
        if (reason.contains("--max-attempts")) {
            return " --max-attempts <more>";
        }
        return "";
    }

    static int badInput(String message) {
        Console.get().error("isofold: " + message);
        Console.get().close(CONSOLE_DRAIN);
        return ExitStatus.BAD_INPUT.code();
    }

    static List<Slot> slots(RunSpec spec) throws BadInput {
        List<Gpu> detected = List.of();
        GpuRequest request = spec.placement().gpus();
        if (!request.none()) {
            try {
                detected = new GpuDetector().detect();
            } catch (GpuDetector.DetectionFailed e) {
                throw new BadInput(e.getMessage() + " (use --gpus none to run on the CPU)");
            }
        }
        List<Slot> slots;
        try {
            slots = GpuSlots.slots(request, detected, System.getenv("CUDA_VISIBLE_DEVICES"),
                    spec.placement().workersPerGpu(), spec.placement().cpuWorkers());
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        if (slots.stream().allMatch(Slot::cpu) && request.all()) {
            log.info("no GPU found; running on {} CPU slot(s) (--cpu-workers)", spec.placement().cpuWorkers());
        }
        return slots;
    }

    /**
     * The GPUs' health, read at the start and every little while: a GPU with uncorrected ECC errors
     * or retired pages or remapped rows pending gets no more attempts. A reading that fails takes
     * nothing out of the run (it is logged); null on a CPU run.
     */
    static HealthWatch healthWatch(List<Slot> slots) {
        if (slots.stream().allMatch(Slot::cpu)) {
            return null;
        }
        return new HealthWatch(() -> {
            HealthReport report = GpuHealth.read();
            if (!report.readable()) {
                log.warn("cannot read the GPUs' health: {}", report.unreadable());
            }
            Map<String, String> sick = new LinkedHashMap<>();
            for (Slot s : slots) {
                if (!s.cpu() && report.sick(s.gpu())) {
                    sick.put(s.gpuLabel(), report.describe(s.gpu()));
                }
            }
            return sick;
        });
    }

    static WorkerCommand workerCommand(RunSpec spec, List<Slot> slots) throws BadInput {
        Path workdir = spec.workdir() != null ? spec.workdir() : Path.of("").toAbsolutePath();
        // each CPU slot's share of the cores: C workers that each start a thread per core oversubscribe them
        long cpuSlots = slots.stream().filter(Slot::cpu).count();
        Integer threads = cpuSlots == 0 ? null
                : Math.max(1, Runtime.getRuntime().availableProcessors() / (int) cpuSlots);
        if (!spec.builtInWorker()) {
            if (!Files.isDirectory(workdir)) {
                throw new BadInput("the run's folder " + workdir + " (where its workers start) is gone; resume it with "
                        + "the worker command after --, from the folder it should start in");
            }
            String exe = spec.command().get(0);
            if (!executable(exe, workdir)) {
                throw new BadInput("worker command '" + exe + "' is not an executable file"
                        + (exe.contains("/") ? " (in " + workdir + ")" : " on PATH"));
            }
            return new WorkerCommand(spec.command(), threads, Map.of(), workdir);
        }
        Path jar = Installation.workerJar();
        if (!Files.isRegularFile(jar)) {
            throw new BadInput("the built-in worker is not built (" + jar + " is missing); run "
                    + Installation.launcher() + ", which builds it");
        }
        List<String> argv = WorkerCommand.builtIn(jar, spec.options().workerJvmOptions());
        if (!spec.options().workerJvmOptions().isEmpty()) {
            checkJvmOptions(argv);
        }
        return new WorkerCommand(argv, threads, WorkerCommand.builtInEnvironment(System.getenv()), workdir);
    }

    /**
     * Starts the worker's JVM once with its options and {@code -version}: an option the JVM refuses
     * would otherwise fail every attempt, each with the JVM's last line ("A fatal exception has
     * occurred"), while the first one names the option. About 0.1 s, only when --worker-jvm-opts is given.
     */
    private static void checkJvmOptions(List<String> builtIn) throws BadInput {
        List<String> argv = new ArrayList<>(builtIn.subList(0, builtIn.indexOf("-jar")));
        argv.add("-version");
        ExternalCommand.Result r;
        try {
            r = ExternalCommand.run(argv, Duration.ofSeconds(30));
        } catch (ExternalCommand.Failed e) {
            throw new BadInput("--worker-jvm-opts: cannot check them: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInput("interrupted while checking --worker-jvm-opts");
        }
        if (!r.ok()) {
            throw new BadInput("--worker-jvm-opts: the JVM refuses them: " + r.stderr().lines()
                    .filter(l -> !l.isBlank()).findFirst().orElse("exit " + r.exitCode()));
        }
    }

    private static boolean executable(String exe, Path workdir) {
        if (exe.contains("/")) {
            Path p = workdir.resolve(exe);
            return Files.isRegularFile(p) && Files.isExecutable(p);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, exe);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
