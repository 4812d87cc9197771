package io.isofold.supervisor.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lists GPUs, and their MIG devices, by running {@code nvidia-smi} from PATH; no nvidia-smi means no GPU. */
public final class GpuDetector {
    private static final Pattern GPU_LINE = Pattern.compile("^GPU\\s+(\\d+):.*\\(UUID:\\s*([^)\\s]+)\\)");
    private static final Pattern MIG_LINE =
            Pattern.compile("^\\s*MIG\\s+(\\S+)\\s+Device\\s+(\\d+):.*\\(UUID:\\s*([^)\\s]+)\\)");

    /** Thrown when nvidia-smi exists but fails or hangs: a broken driver should stop a GPU run, not turn it into a CPU run. */
    public static final class DetectionFailed extends Exception {
        DetectionFailed(String message) {
            super(message);
        }
    }

    /**
     * The GPUs nvidia-smi lists, empty when it is not installed. The message of a failure names
     * nvidia-smi and what went wrong (exit status, or the time limit it ran past); callers add what
     * the user can do about it ({@code --gpus none}).
     */
    public List<Gpu> detect() throws DetectionFailed {
        try {
            NvidiaSmi smi = NvidiaSmi.fromEnvironment();
            List<Gpu> gpus = parse(smi.run("--query-gpu=index,name,uuid,memory.total", "--format=csv,noheader,nounits"));
            if (gpus.isEmpty()) {
                return gpus;
            }
            // MIG devices are listed by -L only; a second call, as cheap as the first
            return withMigDevices(gpus, parseMigDevices(smi.run("-L")));
        } catch (NvidiaSmi.Failed e) {
            if (e.notInstalled()) {
                return List.of();
            }
            throw new DetectionFailed(e.getMessage());
        }
    }

    static List<Gpu> parse(String csv) throws DetectionFailed {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : csv.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            try {
                long memory = f.length > 3 ? (long) Double.parseDouble(f[3].trim()) : 0;
                gpus.add(new Gpu(Integer.parseInt(f[0].trim()), f.length > 1 ? f[1].trim() : "",
                        f.length > 2 ? f[2].trim() : "", memory));
            } catch (NumberFormatException e) {
                throw new DetectionFailed("unexpected nvidia-smi output: " + line.trim());
            }
        }
        return gpus;
    }

    /** The MIG devices of {@code nvidia-smi -L}'s output, by the index of the GPU line they follow. */
    static Map<Integer, List<MigDevice>> parseMigDevices(String listing) {
        Map<Integer, List<MigDevice>> byGpu = new LinkedHashMap<>();
        Integer gpu = null;
        for (String line : listing.split("\n")) {
            Matcher g = GPU_LINE.matcher(line);
            if (g.find()) {
                gpu = Integer.parseInt(g.group(1));
                continue;
            }
            Matcher m = MIG_LINE.matcher(line);
            if (m.find() && gpu != null) {
                byGpu.computeIfAbsent(gpu, k -> new ArrayList<>())
                        .add(new MigDevice(Integer.parseInt(m.group(2)), m.group(1), m.group(3)));
            }
        }
        return byGpu;
    }

    static List<Gpu> withMigDevices(List<Gpu> gpus, Map<Integer, List<MigDevice>> mig) {
        return gpus.stream().map(g -> g.withMigDevices(mig.getOrDefault(g.index(), List.of()))).toList();
    }
}
