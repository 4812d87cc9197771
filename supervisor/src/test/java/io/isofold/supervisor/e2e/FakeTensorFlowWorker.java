package io.isofold.supervisor.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A stand-in for the built-in worker's {@code --list-devices} mode, packed as a jar of its own for
 * {@code -Disofold.worker.jar}. FAKE_TF says what TensorFlow "sees": {@code gpu} (a GPU whenever
 * CUDA_VISIBLE_DEVICES names one) or {@code cpu} (the CPU only, with FAKE_TF_MISSING's sonames
 * missing). Each call appends its CUDA_VISIBLE_DEVICES to FAKE_TF_LOG.
 */
public final class FakeTensorFlowWorker {
    private FakeTensorFlowWorker() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !args[0].equals("--list-devices")) {
            System.err.println("fake worker: only --list-devices");
            System.exit(2);
        }
        String visible = System.getenv().getOrDefault("CUDA_VISIBLE_DEVICES", "");
        String log = System.getenv("FAKE_TF_LOG");
        if (log != null) {
            Files.writeString(Path.of(log), visible + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        boolean gpu = "gpu".equals(System.getenv("FAKE_TF")) && !visible.isEmpty();
        String missing = System.getenv().getOrDefault("FAKE_TF_MISSING", "");
        System.out.println("2026-11-30 12:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc:210] noise");
        System.out.println("{\"devices\":[\"/device:CPU:0\"" + (gpu ? ",\"/device:GPU:0\"" : "") + "],\"cuda_missing\":["
                + (missing.isEmpty() ? "" : "\"" + String.join("\",\"", missing.split(",")) + "\"") + "]}");
    }

    /** Writes the jar (this class and a manifest naming it) into {@code dir}. */
    static Path jar(Path dir) {
        String entry = FakeTensorFlowWorker.class.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeTensorFlowWorker.class.getName());
        Path jar = dir.resolve("fake-worker.jar");
        try (InputStream in = FakeTensorFlowWorker.class.getClassLoader().getResourceAsStream(entry);
             OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
