package io.isofold.worker.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Names the device TensorFlow really computed on, from the trace of one training step: the GPU native
 * library silently falls back to the CPU when CUDA is missing, so the slot's GPU says nothing by itself.
 */
public final class DeviceProbe {
    private DeviceProbe() {}

    /** "CPU", or "GPU" plus the card's name when nvidia-smi can tell it. */
    public static String describe(RunMetadata metadata) {
        Set<String> devices = new LinkedHashSet<>();
        for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
            if (d.getNodeStatsCount() > 0) {
                devices.add(d.getDevice());
            }
        }
        boolean gpu = devices.stream().anyMatch(d -> d.toUpperCase().contains("GPU"));
        if (!gpu) {
            return "CPU";
        }
        String name = gpuName();
        return name == null ? "GPU" : "GPU " + name;
    }

    /** The visible GPU's product name, or null. CUDA_VISIBLE_DEVICES makes it GPU 0 of this process. */
    static String gpuName() {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        String index = visible == null || visible.isBlank() ? "0" : visible.split(",")[0].trim();
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", index)
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && !out.isEmpty() ? out.lines().findFirst().orElse(null) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
