package io.isofold.worker.bench;

import io.isofold.shared.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;

/**
 * The seed benchmark (issue 12): the time per model when many small models are trained one after another.
 *
 * <pre>
 *   SeedCurve --loop N              N models in ONE graph and session, never cleared (the loop users write);
 *                                   prints "model,seconds,cpu_seconds,graph_ops" lines on stdout
 *   SeedCurve --one [--result PATH] one model in a fresh graph, for one process per model (isofold's way);
 *                                   writes {"metrics": {"seconds", "cpu_seconds", "process_seconds",
 *                                   "process_cpu_seconds", "loss"}} to PATH or ISOFOLD_RESULT
 * </pre>
 *
 * {@code seconds} is one model's build, initialisation, training step and evaluation, with TensorFlow's native
 * library already loaded; {@code process_seconds} is the whole JVM up to the result, that load included; the
 * {@code cpu_} figures are the process's CPU time over the same spans. The data is the same for every model; each
 * model's initial weights come from its own seed (the model number, or ISOFOLD_SEED).
 */
public final class SeedCurve {
    private static final long DATA_SEED = 42;

    private SeedCurve() {}

    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("--loop")) {
            loop(Integer.parseInt(args[1]));
        } else if (args.length >= 1 && args[0].equals("--one")) {
            String result = args.length == 3 && args[1].equals("--result") ? args[2] : System.getenv("ISOFOLD_RESULT");
            if (args.length != 1 && args.length != 3 || result == null) {
                usage();
            }
            one(Path.of(result));
        } else {
            usage();
        }
        System.exit(0); // TensorFlow's native threads must not keep the JVM alive
    }

    private static void usage() {
        System.err.println("usage: SeedCurve --loop N | SeedCurve --one [--result PATH]");
        System.exit(2);
    }

    static void loop(int models) {
        float[][] data = SeedModel.data(DATA_SEED);
        TensorFlow.version(); // the native library's load is the process's cost, not the first model's
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            System.out.println("model,seconds,cpu_seconds,graph_ops");
            for (int m = 1; m <= models; m++) {
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                new SeedModel(graph, "m" + m + "_", m).trainOneStepAndEvaluate(session, data[0], data[1]);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cpu = (cpuNanos() - c0) / 1e9;
                System.out.printf(Locale.ROOT, "%d,%.4f,%.4f,%d%n", m, seconds, cpu, countOps(graph));
                System.out.flush();
            }
        }
    }

    static void one(Path resultFile) {
        float[][] data = SeedModel.data(DATA_SEED);
        String seed = System.getenv("ISOFOLD_SEED");
        TensorFlow.version();
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        float loss;
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            loss = new SeedModel(graph, "m_", seed == null ? 1 : Long.parseLong(seed)).trainOneStepAndEvaluate(
                    session, data[0], data[1]);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - c0) / 1e9;
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("seconds", seconds);
        metrics.put("cpu_seconds", cpu);
        metrics.put("process_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        metrics.put("process_cpu_seconds", cpuNanos() / 1e9);
        metrics.put("loss", (double) loss);
        try {
            Path tmp = Files.createTempFile(resultFile.toAbsolutePath().getParent(), "result", ".tmp");
            Json.MAPPER.writeValue(tmp.toFile(), Map.of("metrics", metrics));
            Files.move(tmp, resultFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + resultFile, e);
        }
    }

    /**
     * CPU time of the whole process, every thread (TensorFlow's pools too): on a machine shared with other work,
     * wall time per model moves with the neighbours' load, CPU time much less.
     */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static int countOps(Graph graph) {
        int n = 0;
        for (var it = graph.operations(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }
}
