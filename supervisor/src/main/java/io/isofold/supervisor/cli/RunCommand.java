package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.progress.ProgressDisplay;
import io.isofold.supervisor.schedule.RunLoop;
import io.isofold.supervisor.schedule.RunSetup;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.spec.Sizes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isofold run}: validates every option up front, then runs (or resumes) the replicates. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run (or resume) N replicates, one fresh worker process each.%n"
                + "Replicate r trains fold r mod K of shuffle r div K. Without a worker command after --, "
                + "the built-in TensorFlow worker trains the --model on --data.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; an earlier run of the same spec in it is resumed. Default: runs/<timestamp>.")
    String out;
    @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "Cross-validation folds (default ${DEFAULT-VALUE}).")
    String folds;
    @Option(names = "--replicates", paramLabel = "N", description = "Completed replicates required per model (default K).")
    String replicates;
    @Option(names = "--gpus", paramLabel = "LIST", defaultValue = "all", description = "all (detect), none (CPU only), or indices like 0,2,3 (default ${DEFAULT-VALUE}).")
    String gpus;
    @Option(names = "--workers-per-gpu", paramLabel = "M", defaultValue = "1", description = "Concurrent attempts per GPU (default ${DEFAULT-VALUE}).")
    String workersPerGpu;
    @Option(names = "--cpu-workers", paramLabel = "C", defaultValue = "1", description = "Concurrent attempts when no GPU is used (default ${DEFAULT-VALUE}).")
    String cpuWorkers;
    @Option(names = "--timeout", paramLabel = "DUR", description = "Wall-clock limit of one attempt (90s, 30m, 2h). Default: none.")
    String timeout;
    @Option(names = "--stall-timeout", paramLabel = "DUR", description = "Kill an attempt whose progress file has not changed for DUR. Default: none.")
    String stallTimeout;
    @Option(names = "--max-memory", paramLabel = "SIZE", description = "Kill an attempt whose processes' resident memory exceeds SIZE (512m, 8g). Default: none.")
    String maxMemory;
    @Option(names = "--kill-grace", paramLabel = "DUR", defaultValue = "10s", description = "Time between SIGTERM and SIGKILL (default ${DEFAULT-VALUE}).")
    String killGrace;
    @Option(names = "--max-attempts", paramLabel = "A", defaultValue = "3", description = "Attempts per replicate before it is given up (default ${DEFAULT-VALUE}).")
    String maxAttempts;
    @Option(names = "--attempt-budget", paramLabel = "B", description = "Attempts in the whole run (default 2 x N x models).")
    String attemptBudget;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Base seed for shuffles and initialisation (default ${DEFAULT-VALUE}).")
    String seed;

    @Option(names = "--model", paramLabel = "NAME", description = "Built-in model: cnn or mlp; repeat to compare models on the same folds (default cnn).")
    List<String> models = new ArrayList<>();
    @Option(names = "--models", paramLabel = "FILE", description = "JSON file of named model variants: [{\"name\":\"small\",\"architecture\":\"cnn\",\"filters\":[16,32]}, ...].")
    String modelsFile;
    @Option(names = "--data", paramLabel = "PATH", description = "Dataset: IDX files (dir or file), a folder of class sub-folders, or CSV. Default: the bundled Fashion-MNIST subset.")
    String data;
    @Option(names = "--epochs", paramLabel = "E", description = "Maximum epochs (early stopping may end sooner).")
    String epochs;
    @Option(names = "--batch-size", paramLabel = "B", description = "Training batch size.")
    String batchSize;
    @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam learning rate.")
    String learningRate;
    @Option(names = "--patience", paramLabel = "P", description = "Epochs without a better val_loss before stopping.")
    String patience;
    @Option(names = "--no-save-model", description = "Do not save each attempt's trained model.")
    boolean noSaveModel;
    @Option(names = "--worker-jvm-opts", paramLabel = "OPTS", description = "JVM options of the built-in worker, e.g. \"-Xmx4g\".")
    String workerJvmOpts;

    @Parameters(paramLabel = "WORKER COMMAND", description = "After --: run this command as the worker. Placeholders: "
            + "{replicate} {fold} {folds} {attempt} {seed} {gpu} {attempt_dir} {result} {model} {progress} {task}.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        RunSpec spec;
        List<Slot> slots;
        WorkerCommand workerCommand;
        try {
            spec = spec();
            slots = slots(spec);
            workerCommand = workerCommand(spec, slots);
        } catch (BadInput e) {
            return badInput(e.getMessage());
        }
        try (RunSetup setup = RunSetup.prepare(spec)) {
            SupervisorLog.attachFile(spec.outDir().resolve("supervisor.log"));
            log.info("{} run in {} on {}", setup.resumed() ? "resuming the" : "starting a", spec.outDir(),
                    slots.stream().map(Slot::label).toList());
            JournalReports reports = new JournalReports(spec, slots);
            RunLoop loop = new RunLoop(spec, slots, workerCommand, new LocalLauncher(), setup.journal(),
                    setup.history(), ProgressDisplay.forConsole(), reports);
            Signals.forward(loop);
            int status = loop.run();
            log.info("run ended with exit status {}{}", status,
                    loop.stopReason() == null ? "" : ": " + loop.stopReason().lines().findFirst().orElse(""));
            if (loop.stopReason() != null && status != 0) {
                System.err.println("isofold: " + loop.stopReason());
            }
            System.out.println(reports.summaryTable());
            System.out.println("results in " + spec.outDir());
            return status;
        } catch (BadInput e) {
            return badInput(e.getMessage());
        } catch (IOException e) {
            System.err.println("isofold: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static int badInput(String message) {
        System.err.println("isofold: " + message);
        return 2;
    }

    RunSpec spec() throws BadInput {
        int k = intOption("--folds", folds, 2, 10_000);
        int n = replicates == null ? k : intOption("--replicates", replicates, 1, 1_000_000);
        int perGpu = intOption("--workers-per-gpu", workersPerGpu, 1, 64);
        int cpu = intOption("--cpu-workers", cpuWorkers, 1, 1024);
        Duration limit = timeout == null ? null : duration("--timeout", timeout);
        Duration stall = stallTimeout == null ? null : duration("--stall-timeout", stallTimeout);
        Long memory = null;
        if (maxMemory != null) {
            try {
                memory = Sizes.parse(maxMemory);
            } catch (IllegalArgumentException e) {
                throw new BadInput("--max-memory: " + e.getMessage());
            }
        }
        Duration grace = duration("--kill-grace", killGrace);
        int attempts = intOption("--max-attempts", maxAttempts, 1, 1000);
        long baseSeed;
        try {
            baseSeed = Long.parseLong(seed.trim());
        } catch (NumberFormatException e) {
            throw new BadInput("--seed '" + seed + "' is not an integer");
        }
        List<ModelConfig> configs = modelConfigs();
        int budget = attemptBudget == null ? 2 * n * configs.size()
                : intOption("--attempt-budget", attemptBudget, 1, Integer.MAX_VALUE);
        Path outDir = outDir();
        String dataPath = null;
        if (command.isEmpty()) {
            Path d = data == null ? Installation.defaultData() : path("--data", data);
            if (!Files.exists(d)) {
                throw new BadInput("--data " + d + " does not exist");
            }
            dataPath = d.toAbsolutePath().normalize().toString();
        } else if (data != null) {
            throw new BadInput("--data is for the built-in worker; a worker command after -- reads its own data");
        }
        List<String> jvm = workerJvmOpts == null || workerJvmOpts.isBlank() ? List.of()
                : List.of(workerJvmOpts.trim().split("\\s+"));
        return new RunSpec(outDir, k, n, gpus, perGpu, cpu, limit, stall, memory, grace, attempts, budget, baseSeed,
                command, configs, dataPath, !noSaveModel, jvm);
    }

    private Path outDir() throws BadInput {
        String dir = out != null ? out
                : "runs/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path p = path("--out", dir).toAbsolutePath().normalize();
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new BadInput("--out " + p + " exists and is not a directory");
        }
        return p;
    }

    private List<ModelConfig> modelConfigs() throws BadInput {
        List<ModelConfig> configs = new ArrayList<>();
        if (modelsFile != null) {
            configs.addAll(readModelsFile(path("--models", modelsFile)));
        }
        for (String m : models) {
            try {
                configs.add(ModelConfig.defaults(m.trim().toLowerCase()));
            } catch (IllegalArgumentException e) {
                throw new BadInput("--model: " + e.getMessage());
            }
        }
        if (configs.isEmpty()) {
            configs.add(command.isEmpty() ? ModelConfig.defaults("cnn")
                    : new ModelConfig("custom", "custom", 0, 0, 0, 0, List.of(), List.of(), 0));
        }
        Set<String> names = new HashSet<>();
        List<ModelConfig> resolved = new ArrayList<>();
        for (ModelConfig c : configs) {
            if (!names.add(c.name())) {
                throw new BadInput("model '" + c.name() + "' is given twice; give variants distinct names in --models");
            }
            resolved.add(overridden(c));
        }
        return resolved;
    }

    private ModelConfig overridden(ModelConfig c) throws BadInput {
        int e = epochs == null ? c.epochs() : intOption("--epochs", epochs, 1, 100_000);
        int b = batchSize == null ? c.batchSize() : intOption("--batch-size", batchSize, 1, 1 << 20);
        int p = patience == null ? c.patience() : intOption("--patience", patience, 0, 100_000);
        double lr = c.learningRate();
        if (learningRate != null) {
            try {
                lr = Double.parseDouble(learningRate.trim());
            } catch (NumberFormatException ex) {
                lr = Double.NaN;
            }
            if (!(lr > 0 && lr < 10)) {
                throw new BadInput("--learning-rate '" + learningRate + "' must be a number between 0 and 10");
            }
        }
        return new ModelConfig(c.name(), c.architecture(), e, b, lr, p, c.filters(), c.units(), c.dropout());
    }

    private static List<ModelConfig> readModelsFile(Path file) throws BadInput {
        if (!Files.isRegularFile(file)) {
            throw new BadInput("--models " + file + ": " + (Files.exists(file) ? "not a file" : "no such file"));
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInput("--models " + file + ": not valid JSON");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new BadInput("--models " + file + ": expected a non-empty JSON array of model objects");
        }
        List<ModelConfig> configs = new ArrayList<>();
        for (JsonNode entry : root) {
            if (!entry.isObject() || !entry.path("name").isTextual() || !entry.path("architecture").isTextual()) {
                throw new BadInput("--models " + file + ": every entry needs a \"name\" and an \"architecture\" (cnn or mlp)");
            }
            try {
                ModelConfig base = ModelConfig.defaults(entry.get("architecture").asText());
                ObjectNode merged = Json.MAPPER.valueToTree(base);
                merged.setAll((ObjectNode) entry);
                ModelConfig c = Json.MAPPER.treeToValue(merged, ModelConfig.class);
                if (c.name().isBlank() || !c.name().matches("[A-Za-z0-9_.-]+")) {
                    throw new IllegalArgumentException("model name '" + c.name() + "' must be letters, digits, '.', '_' or '-'");
                }
                if (c.epochs() < 1 || c.batchSize() < 1 || !(c.learningRate() > 0) || c.patience() < 0
                        || c.dropout() < 0 || c.dropout() >= 1 || c.units().stream().anyMatch(u -> u < 1)
                        || c.filters().stream().anyMatch(f -> f < 1)) {
                    throw new IllegalArgumentException("model '" + c.name() + "' has an out-of-range value "
                            + "(epochs, batch_size >= 1; learning_rate > 0; patience >= 0; 0 <= dropout < 1; units, filters >= 1)");
                }
                configs.add(c);
            } catch (IllegalArgumentException | IOException e) {
                throw new BadInput("--models " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return configs;
    }

    List<Slot> slots(RunSpec spec) throws BadInput {
        List<Gpu> detected = List.of();
        String request = spec.gpus().trim().toLowerCase();
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
            log.info("no GPU found; running on {} CPU slot(s) (--cpu-workers)", spec.cpuWorkers());
        }
        return GpuSlots.slots(chosen, spec.workersPerGpu(), spec.cpuWorkers());
    }

    private WorkerCommand workerCommand(RunSpec spec, List<Slot> slots) throws BadInput {
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
            throw new BadInput("the built-in worker is not built (" + jar + " is missing); run scripts/run.sh, which builds it");
        }
        long cpuSlots = slots.stream().filter(Slot::cpu).count();
        Integer threads = cpuSlots == 0 ? null
                : Math.max(1, Runtime.getRuntime().availableProcessors() / (int) cpuSlots);
        return new WorkerCommand(WorkerCommand.builtIn(jar, spec.workerJvmOptions()), threads);
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

    private static int intOption(String name, String value, int min, int max) throws BadInput {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new BadInput(name + " '" + value + "' is not a whole number");
        }
        if (v < min || v > max) {
            throw new BadInput(name + " " + value + " is out of range (" + min + " to " + max + ")");
        }
        return (int) v;
    }

    private static Duration duration(String name, String value) throws BadInput {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadInput(name + ": " + e.getMessage());
        }
    }

    private static Path path(String name, String value) throws BadInput {
        try {
            if (value.isBlank()) {
                throw new InvalidPathException(value, "empty");
            }
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new BadInput(name + " '" + value + "' is not a valid path");
        }
    }
}
