package io.isofold.supervisor.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.exec.ExternalCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The devices TensorFlow itself sees under one CUDA_VISIBLE_DEVICES, from the built-in worker's
 * {@code --list-devices} mode, which prints one JSON object on stdout:
 * {@code {"devices":["/device:CPU:0","/device:GPU:0"],"cuda_missing":[]}}.
 *
 * @param devices     TF's device names; empty when unknown
 * @param cudaMissing the CUDA sonames the worker found missing
 * @param unknown     why TF's view could not be had (an older worker without the mode, a timeout...), or null
 */
public record TensorFlowView(List<String> devices, List<String> cudaMissing, String unknown) {
    /** The first start unpacks 1.2 GB of native libraries (seconds); CUDA's own start adds more per GPU. */
    public static final Duration TIMEOUT = Duration.ofSeconds(120);

    public TensorFlowView {
        devices = List.copyOf(devices);
        cudaMissing = List.copyOf(cudaMissing);
    }

    static TensorFlowView unknown(String why) {
        return new TensorFlowView(List.of(), List.of(), why);
    }

    public boolean known() {
        return unknown == null;
    }

    public boolean seesGpu() {
        return devices.stream().anyMatch(d -> d.toUpperCase(java.util.Locale.ROOT).contains("GPU"));
    }

    /**
     * @param worker the built-in worker's command ({@code java ... -jar isofold-worker.jar})
     * @param env    set on top of this process's environment: CUDA_VISIBLE_DEVICES and the loader path
     */
    public static TensorFlowView probe(List<String> worker, Map<String, String> env, Duration timeout) {
        List<String> argv = new ArrayList<>(worker);
        argv.add("--list-devices");
        try {
            ExternalCommand.Result r = ExternalCommand.run(argv, timeout, env);
            if (!r.ok()) {
                return unknown("the worker's --list-devices exited " + r.exitCode() + ": " + r.firstLine());
            }
            return parse(r.stdout());
        } catch (ExternalCommand.Failed e) {
            return unknown(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unknown("interrupted");
        }
    }

    /** The last line of stdout that is a JSON object with a "devices" array (TF may log to stdout before it). */
    static TensorFlowView parse(String stdout) {
        List<String> lines = stdout.lines().map(String::strip).filter(l -> l.startsWith("{")).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            try {
                JsonNode o = Json.MAPPER.readTree(lines.get(i));
                if (o != null && o.path("devices").isArray()) {
                    List<String> devices = new ArrayList<>();
                    o.get("devices").forEach(d -> devices.add(d.asText()));
                    List<String> missing = new ArrayList<>();
                    o.path("cuda_missing").forEach(d -> missing.add(d.asText()));
                    return new TensorFlowView(devices, missing, null);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                // not the line we want; look further up
            }
        }
        return unknown("the worker printed no device list (a worker without --list-devices?)");
    }
}
