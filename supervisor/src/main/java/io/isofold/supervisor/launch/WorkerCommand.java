package io.isofold.supervisor.launch;

import com.google.common.collect.ImmutableMap;
import io.isofold.shared.CudaLibraries;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.Task;
import io.isofold.shared.WorkerEnv;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.gpu.CudaCache;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.ParamText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a task and the slot it runs on into the command and environment of one attempt. The GPU
 * always comes from the slot the attempt really runs on, never from an earlier attempt.
 */
public final class WorkerCommand {
    /** Every placeholder a worker command may use, as the help lists them. */
    public static final String PLACEHOLDER_LIST = "{replicate} {index} {fold} {folds} {shuffle} {split_seed} {attempt} "
            + "{seed} {gpu} {attempt_dir} {result} {progress} {task} {model} {checkpoint_dir} {param.NAME}";
    public static final List<String> PLACEHOLDERS = List.of(PLACEHOLDER_LIST.split(" "));
    /** What counts as a placeholder: {name} or {name.more}; JSON such as {"lr": 1} does not. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?:\\.([^{}]*))?}");


    private final List<String> template;
    private final Integer threadsPerCpuWorker;
    private final Map<String, String> commandEnvironment;
    private final Path workdir;

    /**
     * @param template            the worker's argv with placeholders; for the built-in worker, the java command
     * @param threadsPerCpuWorker math threads for an attempt on a CPU slot (TensorFlow's, OpenMP's, BLAS's), so
     *                            that C workers share the cores instead of each taking all of them; null leaves
     *                            the libraries' defaults
     */
    public WorkerCommand(List<String> template, Integer threadsPerCpuWorker) {
        this(template, threadsPerCpuWorker, Map.of(), null);
    }

    /**
     * @param commandEnvironment variables the command itself needs in every attempt (and standby)
     * @param workdir            the folder workers start in (the one the run was started in); null: the supervisor's
     */
    public WorkerCommand(List<String> template, Integer threadsPerCpuWorker, Map<String, String> commandEnvironment,
            Path workdir) {
        this.template = List.copyOf(template);
        this.threadsPerCpuWorker = threadsPerCpuWorker;
        this.commandEnvironment = ImmutableMap.copyOf(commandEnvironment);
        this.workdir = workdir;
    }

    /** The built-in worker: this JVM's java running the worker jar. */
    public static List<String> builtIn(Path workerJar, List<String> jvmOptions) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new ArrayList<>();
        argv.add(java);
        if (!"off".equals(System.getenv("ISOFOLD_CDS"))) { // as in scripts/run.sh: neither made nor used
            argv.addAll(classDataSharing(Path.of(java), workerJar));
        }
        // the client compiler alone: TensorFlow does the heavy work in native code, and C2's compile
        // threads only compete with it for the cores while the worker starts. Measured on 2 cores: the
        // worker's first training step 4.4 s against 9.7 s (with the archive, load ~13), an mlp attempt
        // of 5 epochs 2.77 s against 2.96 s, its training alone 1.93 s against 2.10 s (load ~3)
        argv.add("-XX:TieredStopAtLevel=1");
        if (transparentHugePagesOnRequest(THP_SETTING)) {
            // the heap in 2 MB pages: reading and splitting the data touches ~60 MB of fresh heap, and a
            // small page's first touch costs ~12 us in this VM. Measured on 2 cores: reading and splitting
            // the bundled data 0.37 s -> 0.09 to 0.29 s, an mlp attempt's page faults 55,000 -> 30,000
            // (16,000 with MALLOC_TUNABLES), its CPU time 2.70 -> 2.41 s (medians of 6, side by side)
            argv.add("-XX:+UseTransparentHugePages");
        }
        argv.addAll(jvmOptions); // after ours: the user's -Xshare:off, own archive or compiler options win
        argv.add("-jar");
        argv.add(workerJar.toString());
        return argv;
    }

    /**
     * The options that start the worker's JVM from the class-data archive scripts/make-cds.sh made
     * ({@code <worker jar's folder>/cds/worker.jsa}; the worker's first progress line at 0.6 s of its
     * uptime instead of 1.9 s on 2 cores under load, see scripts/bench-start.sh), or none: when
     * there is no archive, when it is older than the worker jar (made before the last build), or when
     * it was made by another JVM than this one (it records which, as the link {@code cds/java}). The
     * JVM itself ignores an archive that does not match its jars; these checks only spare it the try,
     * and the logging options keep any word about it out of the attempt's stderr.
     */
    static List<String> classDataSharing(Path java, Path workerJar) {
        Path cds = workerJar.toAbsolutePath().resolveSibling("cds");
        Path archive = cds.resolve("worker.jsa");
        try {
            if (!Files.isRegularFile(archive)
                    || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(workerJar)) < 0
                    || !Files.isSameFile(java, cds.resolve("java"))) {
                return List.of();
            }
        } catch (IOException | RuntimeException e) {
            return List.of(); // no jar, no link, an unreadable folder: start as if there were no archive
        }
        // Not -XX:ArchiveRelocationMode=0 (map the archive where it was made instead of at a random
        // address): java -version 161 -> 99 ms, but a whole attempt took more CPU with it (2.88 against
        // 2.72 s, 8 rounds side by side), as the supervisor's start did (docs/benchmarks/README.md, start-up)
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:class+path=off");
    }

    /** Where Linux says whether a process may ask for transparent huge pages. */
    static final Path THP_SETTING = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    /**
     * Whether the kernel gives huge pages to memory that asks for them ({@code [madvise]} selected):
     * then the JVM's flag asks. With {@code [always]} the heap has them without it, with {@code [never]}
     * asking does nothing, and a kernel without them (no such file) would make the JVM print a warning
     * into every attempt's stderr.
     */
    static boolean transparentHugePagesOnRequest(Path setting) {
        try {
            return Files.readString(setting).contains("[madvise]");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * glibc's allocator for the built-in worker, unless the user set GLIBC_TUNABLES: TensorFlow's tensors
     * and the JVM's native memory from a heap that asks for huge pages (hugetlb=1, glibc 2.35 on; older
     * ones ignore it), kept instead of handed back and faulted in again (trim_threshold, top_pad), and
     * blocks up to 32 MB from that heap rather than from a fresh mapping each (mmap_threshold). A
     * worker lives for one attempt, so memory it keeps is returned at its exit. Measured on 2 cores (an
     * mlp attempt of 1 epoch, with the huge-page heap above): 30,000 page faults -> 16,000, ~0.2 CPU-s
     * less; resident memory ~50 MB more.
     */
    static final String MALLOC_TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=268435456"
            + ":glibc.malloc.top_pad=67108864:glibc.malloc.mmap_threshold=33554432";

    /** The built-in worker's own variables, given the supervisor's environment (which the worker inherits). */
    public static Map<String, String> builtInEnvironment(Map<String, String> inherited) {
        return inherited.containsKey("GLIBC_TUNABLES") ? Map.of() : Map.of("GLIBC_TUNABLES", MALLOC_TUNABLES);
    }

    public LaunchRequest request(Task task, Slot slot, RunFiles.AttemptFiles files) {
        Map<String, String> env = slotEnvironment(slot);
        env.putAll(taskEnvironment(task, files));
        return new LaunchRequest(task, slot, argv(task, slot, files), env, files, workdir);
    }

    /**
     * A standby worker for {@code slot} (see {@link io.isofold.shared.Handoff}): the slot's environment,
     * the task the supervisor expects to hand it as ISOFOLD_TASK (written in the standby's folder), and
     * ISOFOLD_STANDBY, the file its real task will arrive in. The command is the attempt's: a standby
     * worker command uses no per-attempt placeholder ({@link #standbyProblem}), so the expected task's
     * model is all it can depend on.
     */
    public LaunchRequest standbyRequest(Task expected, Slot slot, RunFiles.AttemptFiles standbyFiles, Path handoff) {
        Map<String, String> env = slotEnvironment(slot);
        env.put(WorkerEnv.TASK, standbyFiles.task().toString());
        env.put(WorkerEnv.FOLDS, Integer.toString(expected.folds()));
        env.put(WorkerEnv.MODEL, expected.model());
        env.put(WorkerEnv.PARAMS, params(expected));
        env.put(WorkerEnv.STANDBY, handoff.toString());
        return new LaunchRequest(expected, slot, argv(expected, slot, standbyFiles), env, standbyFiles, workdir);
    }

    /**
     * Placeholders that differ from attempt to attempt, which a worker started before its task cannot
     * have, with the variable of the handoff that carries each.
     */
    static final Map<String, String> PER_ATTEMPT = ImmutableMap.<String, String>builder()
            .put("{replicate}", WorkerEnv.REPLICATE).put("{index}", WorkerEnv.INDEX).put("{fold}", WorkerEnv.FOLD)
            .put("{shuffle}", WorkerEnv.SHUFFLE).put("{split_seed}", WorkerEnv.SPLIT_SEED)
            .put("{attempt}", WorkerEnv.ATTEMPT).put("{seed}", WorkerEnv.SEED)
            .put("{attempt_dir}", WorkerEnv.ATTEMPT_DIR).put("{result}", WorkerEnv.RESULT)
            .put("{progress}", WorkerEnv.PROGRESS).put("{task}", WorkerEnv.TASK)
            .put("{checkpoint_dir}", WorkerEnv.CHECKPOINT_DIR).build();

    /** Why a worker command cannot be started ahead of its task, or empty when it can. */
    public static Optional<String> standbyProblem(List<String> template) {
        for (String arg : template) {
            for (Map.Entry<String, String> p : PER_ATTEMPT.entrySet()) {
                if (arg.contains(p.getKey())) {
                    return Optional.of("the worker command uses " + p.getKey() + ", which a worker started before "
                            + "its task cannot know: take " + p.getValue() + " from the handoff instead");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Refuses, before anything starts, a placeholder the command would pass on literally: an unknown one
     * ({@code {fold_id}}), or {@code {param.NAME}} of a variant that has no such param.
     */
    public static void checkPlaceholders(List<String> template, List<ModelConfig> variants) throws BadInput {
        for (String arg : template) {
            Matcher m = PLACEHOLDER.matcher(arg);
            while (m.find()) {
                String name = m.group(1);
                if (name.equals("param") && m.group(2) != null) {
                    for (ModelConfig v : variants) {
                        if (!v.params().containsKey(m.group(2))) {
                            throw new BadInput("the worker command uses " + m.group() + ", but variant '" + v.name()
                                    + "' has no param " + m.group(2) + (v.params().isEmpty()
                                            ? " (give variants with --param " + m.group(2) + "=V1,V2 or --models FILE)"
                                            : " (its params: " + String.join(", ", v.params().keySet()) + ")"));
                        }
                    }
                } else if (m.group(2) != null || !PLACEHOLDERS.contains(m.group())) {
                    throw new BadInput("the worker command uses " + m.group() + ", which is no placeholder; the "
                            + "placeholders are " + PLACEHOLDER_LIST);
                }
            }
        }
    }

    /** Linux's cap on one argument or one NAME=value of the environment (MAX_ARG_STRLEN: 32 pages). */
    static final int MAX_ONE_STRING = 32 * 4096;

    /**
     * Why the kernel would refuse to start this request (E2BIG: "Argument list too long"), or empty: one
     * argument or variable over {@value #MAX_ONE_STRING} bytes, or the arguments and the environment (the
     * supervisor's own, which the worker inherits, with the request's on top) over {@code argMax} together.
     *
     * @param inherited the environment the worker inherits
     * @param argMax    the system's ARG_MAX
     */
    public static Optional<String> tooLarge(LaunchRequest request, Map<String, String> inherited, long argMax) {
        Map<String, String> env = new LinkedHashMap<>(inherited);
        env.putAll(request.environment());
        long total = 0;
        String largest = null;
        long largestBytes = 0;
        List<String> strings = new ArrayList<>(request.command());
        env.forEach((k, v) -> strings.add(k + "=" + v));
        for (String s : strings) {
            long bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1L;
            total += bytes + 8; // and its pointer
            if (bytes > largestBytes) {
                largestBytes = bytes;
                largest = s;
            }
        }
        String what = largest == null ? "" : largest.substring(0, Math.min(40, largest.length())).split("=")[0];
        if (largestBytes > MAX_ONE_STRING) {
            return Optional.of("the worker's " + (env.containsKey(what) ? "variable " + what : "argument '" + what
                    + "...'") + " would be " + largestBytes / 1024 + " KiB, over the " + MAX_ONE_STRING / 1024
                    + " KiB the system takes for one; large settings belong in a file the worker reads (a path in "
                    + "--models FILE's params)");
        }
        if (total > argMax) {
            return Optional.of("the worker's arguments and environment would be " + total / 1024 + " KiB, over the "
                    + "system's " + argMax / 1024 + " KiB (ARG_MAX); the largest is " + what + " (" + largestBytes / 1024
                    + " KiB); large settings belong in a file the worker reads");
        }
        return Optional.empty();
    }

    /** Whether the command itself names the variant ({model}, {param.NAME}): then a standby serves that variant only. */
    public boolean variantInCommand() {
        return template.stream().anyMatch(a -> a.contains("{model}") || a.contains("{param."));
    }

    private List<String> argv(Task task, Slot slot, RunFiles.AttemptFiles files) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("{replicate}", Integer.toString(task.replicate()));
        values.put("{index}", Integer.toString(task.index()));
        values.put("{fold}", Integer.toString(task.fold()));
        values.put("{folds}", Integer.toString(task.folds()));
        values.put("{shuffle}", Integer.toString(task.shuffle()));
        values.put("{split_seed}", Long.toString(task.splitSeed()));
        if (task.checkpointDir() != null) {
            values.put("{checkpoint_dir}", task.checkpointDir());
        }
        values.put("{attempt}", Integer.toString(task.attempt()));
        values.put("{seed}", Long.toString(task.seed()));
        values.put("{gpu}", slot.gpuLabel());
        values.put("{attempt_dir}", task.attemptDir());
        values.put("{result}", task.resultFile());
        values.put("{model}", task.model());
        values.put("{progress}", task.progressFile());
        values.put("{task}", files.task().toString());
        task.modelConfig().params().forEach((name, value) -> values.put("{param." + name + "}", ParamText.of(value)));
        List<String> argv = new ArrayList<>(template.size());
        for (String arg : template) {
            argv.add(substitute(arg, values));
        }
        return argv;
    }

    /** What the slot decides: the GPU, the CUDA set-up, the CPU threads, who the supervisor is. */
    private Map<String, String> slotEnvironment(Slot slot) {
        Map<String, String> env = new LinkedHashMap<>(commandEnvironment);
        env.put(WorkerEnv.CUDA_VISIBLE_DEVICES, slot.cudaVisibleDevices());
        // CUDA numbers devices fastest-first unless told otherwise; nvidia-smi's indices are PCI order
        env.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        env.put(WorkerEnv.GPU, slot.gpuLabel());
        env.put(WorkerEnv.SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
        cudaEnvironment(env);
        if (slot.cpu() && threadsPerCpuWorker != null) {
            env.put(WorkerEnv.THREADS, Integer.toString(threadsPerCpuWorker));
            for (String pool : THREAD_POOLS) {
                if (System.getenv(pool) == null) { // the user's own setting wins
                    env.put(pool, Integer.toString(threadsPerCpuWorker));
                }
            }
        }
        return env;
    }

    /**
     * The variables the common math libraries size their thread pools by (OpenMP, which PyTorch and
     * scikit-learn use; MKL; OpenBLAS; numexpr; Apple's Accelerate): each defaults to one thread per core.
     */
    static final List<String> THREAD_POOLS = List.of("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS");

    /**
     * What the task decides: the contract's per-attempt variables. Also what a standby is handed for its
     * task: the variables a worker started for the attempt has that the standby lacks.
     */
    public static Map<String, String> taskEnvironment(Task task, RunFiles.AttemptFiles files) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(WorkerEnv.REPLICATE, Integer.toString(task.replicate()));
        env.put(WorkerEnv.INDEX, Integer.toString(task.index()));
        env.put(WorkerEnv.FOLD, Integer.toString(task.fold()));
        env.put(WorkerEnv.FOLDS, Integer.toString(task.folds()));
        env.put(WorkerEnv.SHUFFLE, Integer.toString(task.shuffle()));
        env.put(WorkerEnv.SPLIT_SEED, Long.toString(task.splitSeed()));
        if (task.checkpointDir() != null) {
            env.put(WorkerEnv.CHECKPOINT_DIR, task.checkpointDir());
        }
        env.put(WorkerEnv.ATTEMPT, Integer.toString(task.attempt()));
        env.put(WorkerEnv.SEED, Long.toString(task.seed()));
        env.put(WorkerEnv.ATTEMPT_DIR, task.attemptDir());
        env.put(WorkerEnv.TASK, files.task().toString());
        env.put(WorkerEnv.PROGRESS, task.progressFile());
        env.put(WorkerEnv.RESULT, task.resultFile());
        env.put(WorkerEnv.MODEL, task.model());
        env.put(WorkerEnv.PARAMS, params(task));
        return env;
    }

    /** The params as JSON, a fraction in the digits {@link ParamText} gives it (0.0001, never 1.0E-4). */
    private static String params(Task task) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        task.modelConfig().params().forEach((name, value) -> json.set(name,
                value instanceof Double ? DecimalNode.valueOf(new BigDecimal(ParamText.of(value)))
                        : Json.MAPPER.valueToTree(value)));
        try {
            return Json.MAPPER.writer().with(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a map of JSON values always serialises
        }
    }

    /**
     * A persistent, large CUDA cache unless the user chose one (with a fresh process per replicate,
     * a cache that is too small or not kept means every replicate compiles TF's kernels again), and
     * the CUDA libraries scripts/ensure-cuda.sh fetched, ahead of the loader's path.
     */
    private static void cudaEnvironment(Map<String, String> env) {
        env.putAll(CudaCache.of(System.getenv()).workerEnvironment());
        String loaderPath = CudaLibraries.workerLoaderPath(System.getenv());
        if (loaderPath != null && System.getenv(CudaLibraries.FOLDER_ENV) != null) {
            env.put("LD_LIBRARY_PATH", loaderPath);
        }
    }

    /** One left-to-right pass, so a value that itself looks like a placeholder is not substituted again. */
    static String substitute(String arg, Map<String, String> values) {
        if (arg.indexOf('{') < 0) {
            return arg;
        }
        StringBuilder out = new StringBuilder(arg.length() + 32);
        int i = 0;
        while (i < arg.length()) {
            int open = arg.indexOf('{', i);
            if (open < 0) {
                out.append(arg, i, arg.length());
                break;
            }
            int close = arg.indexOf('}', open);
            String value = close < 0 ? null : values.get(arg.substring(open, close + 1));
            if (value == null) {
                out.append(arg, i, open + 1);
                i = open + 1;
            } else {
                out.append(arg, i, open).append(value);
                i = close + 1;
            }
        }
        return out.toString();
    }
}
