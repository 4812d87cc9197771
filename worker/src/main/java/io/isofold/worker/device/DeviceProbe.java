package io.isofold.worker.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Names the device TensorFlow really computed on, from the trace of one training step: the GPU native
 * library silently falls back to the CPU when CUDA is missing, so the slot's GPU says nothing by itself.
 */
public final class DeviceProbe {
    /** nvidia-smi answers in well under a second on a healthy machine; a wedged driver must not hang the worker. */
    private static final long NVIDIA_SMI_TIMEOUT_SECONDS = 10;

    private DeviceProbe() {}

    /** The devices that ran ops in the traced step, by TensorFlow's short name ({@code /device:CPU:0}). */
    public static List<String> devices(RunMetadata metadata) {
        Set<String> devices = new LinkedHashSet<>();
        for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
            if (d.getNodeStatsCount() > 0) {
                devices.add(shortName(d.getDevice()));
            }
        }
        return List.copyOf(devices);
    }

    /**
     * {@code "cpu"}, or {@code "gpu"} plus the card's name when nvidia-smi tells it ({@code "gpu NVIDIA H200"}),
     * or {@code "unknown"} for an empty trace. Any op on a GPU makes it "gpu": with soft placement a few ops
     * always stay on the CPU.
     */
    public static String describe(List<String> devices) {
        if (devices.isEmpty()) {
            return "unknown";
        }
        if (devices.stream().noneMatch(d -> d.toUpperCase(java.util.Locale.ROOT).contains("GPU"))) {
            return "cpu";
        }
        String name = gpuName();
        return name == null ? "gpu" : "gpu " + name;
    }

    /** "/job:localhost/replica:0/task:0/device:GPU:0" -> "/device:GPU:0": the job part is the same in every worker. */
    public static String shortName(String device) {
        int i = device.indexOf("/device:");
        return i < 0 ? device : device.substring(i);
    }

    /** The visible GPU's product name, or null. CUDA_VISIBLE_DEVICES makes it GPU 0 of this process. */
    static String gpuName() {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        String index = visible == null || visible.isBlank() ? "0" : visible.split(",")[0].trim();
        Path out = null;
        try {
            out = Files.createTempFile("isofold-nvidia-smi", ".txt");
            // output to a file: a pipe read cannot time out when the driver hangs
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", index)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(NVIDIA_SMI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && !text.isEmpty() ? text.lines().findFirst().orElse(null) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
