package io.isofold.supervisor.cli;

import io.isofold.supervisor.exec.ExternalCommand;
import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuHealth;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.gpu.HealthReport;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.LogCappedLauncher;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.standby.StandbyWorkers;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.progress.Console;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.schedule.RunLoop;
import io.isofold.supervisor.schedule.RunSetup;
import io.isofold.supervisor.slurm.SlurmRun;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code run} and {@code resume} do once they have a spec: take the directory, run the loop, say how it ended. */
final class RunExecution {
    private static final Logger log = LoggerFactory.getLogger(RunExecution.class);
    private static final Duration CONSOLE_DRAIN = Duration.ofSeconds(3);

    private RunExecution() {}

    static int execute(RunSpec spec) {
        Console console = Console.get();
        boolean slurm = spec.placement().slurm();
        List<Slot> slots;
        WorkerCommand workerCommand;
        WorkerLauncher launcher;
        try {
            // on Slurm the scheduler places jobs on GPUs this machine (a login node) does not have
            slots = slurm ? List.of() : slots(spec);
            workerCommand = workerCommand(spec, slots);
            launcher = slurm ? slurmLauncher(spec) : new LocalLauncher();
            if (spec.maxLogBytes() != null) {
                launcher = new LogCappedLauncher(launcher, spec.maxLogBytes());
            }
        } catch (BadInput e) {
            return badInput(e.getMessage());
        }
        try (RunSetup setup = RunSetup.prepare(spec, launcher)) {
            SupervisorLog.attachFile(new RunFiles(spec.outDir()).log());
            setup.warnings().forEach(log::warn);
            if (slurm) {
                slots = SlurmRun.slots(spec, setup.adopted().size());
            }
            console.line((setup.resumed() ? "resuming the run in " : "starting a run in ") + spec.outDir());
            JournalReports reports = new JournalReports(spec, slots);
            // GPU health counters are read with nvidia-smi here: of no use for GPUs on other machines
            RunLoop loop = new RunLoop(spec, slots, workerCommand, setup.launcher(), setup.journal(), setup.history(),
                    setup.adopted(), ProgressDisplay.forConsole(), reports, slurm ? null : healthProbe(slots),
                    spec.standby() && !slurm ? new StandbyWorkers(new RunFiles(spec.outDir()), workerCommand,
                            setup.launcher(), spec.killGrace()) : null);
            Signals.forward(loop);
            ExitStatus status = loop.run();
            String reason = loop.stopReason();
            log.info("run ended with exit status {}{}", status.code(),
                    reason == null ? "" : ": " + reason.lines().findFirst().orElse(""));
            console.line(reports.summaryTable());
            if (reason != null && status != ExitStatus.COMPLETE) {
                console.error("isofold: " + reason);
            }
            console.line("results in " + spec.outDir());
            if (status.resumable()) {
                console.line("to go on: " + Installation.launcher() + " resume " + spec.outDir()
                        + resumeHint(reason));
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
            if (launcher instanceof AutoCloseable c) {
                closeQuietly(c);
            }
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

    /** The option that lets a resume get further, when a limit is why the run ended short. */
    private static String resumeHint(String reason) {
        if (reason == null) {
            return "";
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
        String request = spec.placement().gpus().trim().toLowerCase(java.util.Locale.ROOT);
        if (!request.equals("none")) {
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
        if (slots.stream().allMatch(Slot::cpu) && request.equals("all")) {
            log.info("no GPU found; running on {} CPU slot(s) (--cpu-workers)", spec.placement().cpuWorkers());
        }
        return slots;
    }

    /**
     * The GPUs' health, read at the start and every little while: a GPU with uncorrected ECC errors
     * or retired pages or remapped rows pending gets no more attempts. A reading that fails takes
     * nothing out of the run (it is logged); null on a CPU run.
     */
    static RunLoop.HealthProbe healthProbe(List<Slot> slots) {
        if (slots.stream().allMatch(Slot::cpu)) {
            return null;
        }
        return () -> {
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
        };
    }

    static WorkerCommand workerCommand(RunSpec spec, List<Slot> slots) throws BadInput {
        if (!spec.builtInWorker()) {
            String exe = spec.command().get(0);
            if (!executable(exe)) {
                throw new BadInput("worker command '" + exe + "' is not an executable file"
                        + (exe.contains("/") ? "" : " on PATH"));
            }
            return new WorkerCommand(spec.command(), null);
        }
        Path jar = Installation.workerJar();
        if (!Files.isRegularFile(jar)) {
            throw new BadInput("the built-in worker is not built (" + jar + " is missing); run "
                    + Installation.launcher() + ", which builds it");
        }
        long cpuSlots = slots.stream().filter(Slot::cpu).count();
        Integer threads = cpuSlots == 0 ? null
                : Math.max(1, Runtime.getRuntime().availableProcessors() / (int) cpuSlots);
        List<String> argv = WorkerCommand.builtIn(jar, spec.options().workerJvmOptions());
        if (!spec.options().workerJvmOptions().isEmpty()) {
            checkJvmOptions(argv);
        }
        return new WorkerCommand(argv, threads, WorkerCommand.builtInEnvironment(System.getenv()));
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

    private static boolean executable(String exe) {
        if (exe.contains("/")) {
            return Files.isRegularFile(Path.of(exe)) && Files.isExecutable(Path.of(exe));
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
