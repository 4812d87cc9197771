package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.Defaults;
import io.isofold.supervisor.spec.MetricGoal;
import io.isofold.supervisor.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isofold run}: turns the options into a validated {@link RunSpec}, then runs (or resumes) it. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run (or resume) N replicates, one fresh worker process each.%n"
                + "Replicate r trains fold r mod K of shuffle r div K. Without a worker command after --, "
                + "the built-in TensorFlow worker trains the --model on --data.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec commandSpec;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; an earlier run of the same spec in it is resumed. Default: runs/<timestamp>.")
    String out;
    @Option(names = "--folds", paramLabel = "K", description = "Cross-validation folds. Default: " + Defaults.FOLDS + ".")
    Integer folds;
    @Option(names = "--replicates", paramLabel = "N", description = "Completed replicates required per model. Default: K.")
    Integer replicates;
    @Option(names = "--seed", paramLabel = "S", description = "Base seed for shuffles and initialisation. Default: " + Defaults.SEED + ".")
    Long seed;

    @Option(names = "--backend", paramLabel = "local|slurm", converter = Converters.BackendConverter.class, description = "Where attempts run: local processes, or one Slurm batch job each (run from a login node). Fixed for a run. Default: local.")
    RunSpec.Backend backend = RunSpec.Backend.LOCAL;

    @Mixin
    ChangeableOptions changeable;

    @Option(names = "--model", paramLabel = "NAME", description = "Built-in model: cnn or mlp; repeat to compare models on the same folds. Default: cnn.")
    List<String> models = new ArrayList<>();
    @Option(names = "--models", paramLabel = "FILE", description = "JSON file of named variants: for the built-in worker [{\"name\":\"small\",\"architecture\":\"cnn\",\"filters\":[16,32]}, ...]; for a worker command [{\"name\":\"a\",\"params\":{\"lr\":0.1}}, ...]. Default: none.")
    Path modelsFile;
    @Option(names = "--param", paramLabel = "NAME=V1,V2", description = "For a worker command: one variant per combination of the values (repeatable), e.g. --param lr=0.1,0.01 --param batch=32,64. "
            + "Values stay as typed in {param.NAME} and the variant's name; in ISOFOLD_PARAMS a param is numbers when all its values read back as typed (32, 0.1), else strings (1.10, 007, 1e-3). Default: none.")
    List<String> params = new ArrayList<>();
    @Option(names = "--metric", paramLabel = "NAME[:min|max]", converter = Converters.MetricConverter.class, description = "A metric and which way it is better (repeatable); the first is the run's primary metric. Default: guessed from the names, and marked as guessed.")
    List<MetricGoal> metrics = new ArrayList<>();
    @Option(names = "--data", paramLabel = "PATH", description = "Built-in worker: IDX files (dir or file), a folder of class sub-folders, or CSV. Default: the bundled Fashion-MNIST subset.")
    Path data;
    @Option(names = "--epochs", paramLabel = "E", description = "Built-in worker: maximum epochs (early stopping may end sooner). Default: 15 (cnn), 30 (mlp).")
    Integer epochs;
    @Option(names = "--batch-size", paramLabel = "B", description = "Built-in worker: training batch size. Default: 64.")
    Integer batchSize;
    @Option(names = "--learning-rate", paramLabel = "LR", description = "Built-in worker: Adam learning rate. Default: 0.001.")
    Double learningRate;
    @Option(names = "--patience", paramLabel = "P", description = "Built-in worker: epochs without a better val_loss before stopping. Default: 3 (cnn), 4 (mlp).")
    Integer patience;
    @Option(names = "--no-save-model", description = "Built-in worker: do not save each attempt's trained model. Default: each is saved.")
    boolean noSaveModel;
    @Option(names = "--worker-jvm-opts", paramLabel = "OPTS", description = "Built-in worker: its JVM options, e.g. \"-Xmx4g\". Default: none.")
    String workerJvmOpts;
    @Option(names = "--dry-run", description = "Print the resolved command and environment of the first attempts, and start nothing. Default: off.")
    boolean dryRun;

    @Parameters(paramLabel = "WORKER COMMAND", description = "After --: run this command as the worker, directly (never through a shell). "
            + "Placeholders: " + WorkerCommand.PLACEHOLDER_LIST + ".")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        try {
            RunSpec spec = spec();
            return dryRun ? RunExecution.dryRun(spec) : RunExecution.execute(spec);
        } catch (BadInput e) {
            return RunExecution.badInput(e.getMessage());
        }
    }

    RunSpec spec() throws BadInput {
        checkCommandPlacement();
        boolean custom = !command.isEmpty();
        int k = ChangeableOptions.range("--folds", folds, Defaults.FOLDS, 2, 10_000);
        int n = ChangeableOptions.range("--replicates", replicates, k, 1, 1_000_000);
        List<ModelConfig> configs = modelConfigs(custom);
        String dataPath = null;
        if (!custom) {
            Path d = data == null ? Installation.defaultData() : data;
            if (!Files.exists(d)) {
                throw new BadInput("--data " + d + " does not exist");
            }
            if (!Files.isReadable(d)) {
                throw new BadInput("--data " + d + " is not readable");
            }
            dataPath = d.toAbsolutePath().normalize().toString();
        } else {
            refuseBuiltInOptions();
        }
        if (custom) {
            WorkerCommand.checkPlaceholders(command, configs);
        }
        RunSpec.Experiment experiment = new RunSpec.Experiment(k, n, seed != null ? seed : Defaults.SEED, configs,
                command, dataPath, Path.of("").toAbsolutePath());
        RunSpec.Placement placement = changeable.placement(null, backend);
        warnIdle(placement);
        RunSpec.Limits limits = changeable.limits(null, RunSpec.defaultBudget(n, configs.size()));
        List<String> jvm = workerJvmOpts == null || workerJvmOpts.isBlank() ? List.of()
                : List.of(workerJvmOpts.trim().split("\\s+"));
        RunSpec.Options options = changeable.options(null, !noSaveModel, jvm, checked(metrics),
                changeable.standby(null, command, placement), configs.size());
        return new RunSpec(outDir(), experiment, placement, limits, options);
    }

    /** A worker command must come after "--": without it, a typo in an option would be run as a program. */
    private void checkCommandPlacement() throws BadInput {
        List<String> original = commandSpec.commandLine().getParseResult().originalArgs();
        int dashes = original.indexOf("--");
        if (!command.isEmpty() && dashes < 0) {
            throw new BadInput("'" + command.get(0) + "' is not an option; a worker command goes after --, e.g. "
                    + "scripts/run.sh --folds 5 -- python3 train.py --fold {fold}");
        }
        if (dashes >= 0 && command.isEmpty()) {
            throw new BadInput("-- is followed by no worker command; leave out -- to run the built-in worker");
        }
    }

    /** The same metric named twice (acc:max and acc:min) would leave it to chance which one counts. */
    private static List<MetricGoal> checked(List<MetricGoal> goals) throws BadInput {
        Map<String, MetricGoal> byName = new LinkedHashMap<>();
        for (MetricGoal g : goals) {
            MetricGoal before = byName.putIfAbsent(g.name(), g);
            if (before != null) {
                throw new BadInput("--metric " + g.name() + " is given twice (" + before + " and " + g
                        + "); give each metric once");
            }
        }
        return goals;
    }

    private void refuseBuiltInOptions() throws BadInput {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("--data", data);
        given.put("--epochs", epochs);
        given.put("--batch-size", batchSize);
        given.put("--learning-rate", learningRate);
        given.put("--patience", patience);
        given.put("--worker-jvm-opts", workerJvmOpts);
        given.put("--model", models.isEmpty() ? null : models);
        for (Map.Entry<String, Object> g : given.entrySet()) {
            if (g.getValue() != null) {
                throw new BadInput(g.getKey() + " is for the built-in worker; a worker command after -- reads its own "
                        + "settings (pass them as its arguments, or as variants with --models FILE or --param)");
            }
        }
    }

    private void warnIdle(RunSpec.Placement placement) {
        if (changeable.workersPerGpu != null && placement.gpus().none()) {
            log.warn("--workers-per-gpu has no effect with --gpus none (use --cpu-workers)");
        }
        if (changeable.cpuWorkers != null && !placement.gpus().none() && !placement.gpus().all()) {
            log.warn("--cpu-workers has no effect when GPUs are given (--gpus {})", placement.gpus());
        }
    }

    private Path outDir() throws BadInput {
        String dir = out != null ? out
                : "runs/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path p;
        try {
            if (dir.isBlank()) {
                throw new InvalidPathException(dir, "empty");
            }
            p = Path.of(dir).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new BadInput("--out '" + dir + "' is not a valid path");
        }
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new BadInput("--out " + p + " exists and is not a directory");
        }
        return p;
    }

    private List<ModelConfig> modelConfigs(boolean custom) throws BadInput {
        List<ModelConfig> configs = new ArrayList<>();
        if (modelsFile != null) {
            configs.addAll(readModelsFile(modelsFile, custom));
        }
        if (!params.isEmpty()) {
            if (!custom) {
                throw new BadInput("--param is for a worker command after --; the built-in worker takes --models FILE");
            }
            configs.addAll(ParamGrid.variants(params));
        }
        for (String m : models) {
            try {
                configs.add(ModelConfig.defaults(m.trim().toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new BadInput("--model: " + e.getMessage());
            }
        }
        if (configs.isEmpty()) {
            configs.add(custom ? ModelConfig.custom("custom", Map.of()) : ModelConfig.defaults("cnn"));
        }
        Set<String> names = new HashSet<>();
        List<ModelConfig> resolved = new ArrayList<>();
        for (ModelConfig c : configs) {
            if (!names.add(c.name())) {
                throw new BadInput("model '" + c.name() + "' is given twice; give variants distinct names");
            }
            ModelConfig o = custom ? c : overridden(c);
            String problem = o.problem().orElse(null);
            if (problem != null) {
                throw new BadInput(problem);
            }
            resolved.add(o);
        }
        return resolved;
    }

    private ModelConfig overridden(ModelConfig c) {
        return new ModelConfig(c.name(), c.architecture(), epochs != null ? epochs : c.epochs(),
                batchSize != null ? batchSize : c.batchSize(), learningRate != null ? learningRate : c.learningRate(),
                patience != null ? patience : c.patience(), c.filters(), c.units(), c.dropout(), c.params());
    }

    private static List<ModelConfig> readModelsFile(Path file, boolean custom) throws BadInput {
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
            throw new BadInput("--models " + file + ": expected a non-empty JSON array of variants");
        }
        List<ModelConfig> configs = new ArrayList<>();
        for (JsonNode entry : root) {
            if (!entry.isObject() || !entry.path("name").isTextual()) {
                throw new BadInput("--models " + file + ": every entry needs a \"name\"");
            }
            String name = entry.get("name").asText();
            if (custom) {
                if (entry.has("architecture")) {
                    throw new BadInput("--models " + file + ": variant '" + name + "' names an architecture, which is "
                            + "for the built-in worker; a worker command's variants are {\"name\": ..., \"params\": {...}}");
                }
                JsonNode p = entry.path("params");
                if (!p.isMissingNode() && !p.isObject()) {
                    throw new BadInput("--models " + file + ": \"params\" of '" + name + "' must be a JSON object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> values = p.isObject() ? Json.MAPPER.convertValue(p, Map.class) : Map.of();
                configs.add(ModelConfig.custom(name, values));
                continue;
            }
            if (!entry.path("architecture").isTextual()) {
                throw new BadInput("--models " + file + ": variant '" + name + "' needs an \"architecture\" (cnn or mlp)");
            }
            try {
                ModelConfig base = ModelConfig.defaults(entry.get("architecture").asText());
                ObjectNode merged = Json.MAPPER.valueToTree(base);
                merged.setAll((ObjectNode) entry);
                configs.add(Json.MAPPER.treeToValue(merged, ModelConfig.class));
            } catch (IllegalArgumentException | IOException e) {
                throw new BadInput("--models " + file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
        }
        return configs;
    }
}
