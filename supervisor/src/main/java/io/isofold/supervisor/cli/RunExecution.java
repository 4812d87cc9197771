package io.isofold.supervisor.cli;

import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.progress.Console;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.schedule.RunLoop;
import io.isofold.supervisor.schedule.RunSetup;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code run} and {@code resume} do once they have a spec: take the directory, run the loop, say how it ended. */
final class RunExecution {
    private static final Logger log = LoggerFactory.getLogger(RunExecution.class);
    private static final Duration CONSOLE_DRAIN = Duration.ofSeconds(3);

    private RunExecution() {}

    static int execute(RunSpec spec) {
        Console console = Console.get();
        List<Slot> slots;
        WorkerCommand workerCommand;
        try {
            slots = slots(spec);
            workerCommand = workerCommand(spec, slots);
        } catch (BadInput e) {
            return badInput(e.getMessage());
        }
        try (RunSetup setup = RunSetup.prepare(spec, new LocalLauncher())) {
            SupervisorLog.attachFile(new RunFiles(spec.outDir()).log());
            setup.warnings().forEach(log::warn);
            console.line((setup.resumed() ? "resuming the run in " : "starting a run in ") + spec.outDir());
            JournalReports reports = new JournalReports(spec, slots);
            RunLoop loop = new RunLoop(spec, slots, workerCommand, setup.launcher(), setup.journal(), setup.history(),
                    ProgressDisplay.forConsole(), reports, null);
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
        String request = spec.placement().gpus().trim().toLowerCase();
        if (!request.equals("none")) {
            try {
                detected = new GpuDetector().detect();
            } catch (GpuDetector.DetectionFailed e) {
                throw new BadInput(e.getMessage() + " (use --gpus none to run on the CPU)");
            }
        }
        List<Integer> chosen;
        try {
            chosen = GpuSlots.resolve(request, detected, System.getenv("CUDA_VISIBLE_DEVICES"));
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        if (chosen.isEmpty() && request.equals("all")) {
            log.info("no GPU found; running on {} CPU slot(s) (--cpu-workers)", spec.placement().cpuWorkers());
        }
        return GpuSlots.slots(chosen, spec.placement().workersPerGpu(), spec.placement().cpuWorkers());
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
        return new WorkerCommand(WorkerCommand.builtIn(jar, spec.options().workerJvmOptions()), threads);
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
