package io.isofold.supervisor.gpu;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves {@code --gpus} against what is there and builds the run's slots. Errors are
 * {@link IllegalArgumentException}s whose message is the one line a user sees.
 */
public final class GpuSlots {
    private GpuSlots() {}

    /**
     * @param request             the --gpus value: {@code all}, {@code none} or indices like {@code 0,2,3}
     * @param detected            what nvidia-smi listed
     * @param inheritedVisibility the supervisor's own CUDA_VISIBLE_DEVICES, or null when unset
     * @return the physical indices to use, empty for a CPU run
     */
    public static List<Integer> resolve(String request, List<Gpu> detected, String inheritedVisibility) {
        String r = request == null ? "" : request.trim().toLowerCase();
        List<Integer> allowed = visible(detected, inheritedVisibility);
        if (r.equals("none")) {
            return List.of();
        }
        if (r.equals("all")) {
            return allowed;
        }
        Set<Integer> chosen = new LinkedHashSet<>();
        for (String part : r.split(",", -1)) {
            int index;
            try {
                index = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--gpus '" + request + "': expected all, none, or GPU indices like 0,2,3");
            }
            if (!allowed.contains(index)) {
                throw new IllegalArgumentException("--gpus '" + request + "': GPU " + index + " "
                        + (detected.isEmpty() ? "cannot be used, nvidia-smi lists no GPU on this machine"
                                : "is not available (available: " + describe(allowed)
                                        + (inheritedVisibility != null ? ", from CUDA_VISIBLE_DEVICES=" + inheritedVisibility : "")
                                        + ")"));
            }
            if (!chosen.add(index)) {
                throw new IllegalArgumentException("--gpus '" + request + "': GPU " + index + " is listed twice");
            }
        }
        return List.copyOf(chosen);
    }

    /** The GPUs this process may use: all detected, or those its own CUDA_VISIBLE_DEVICES names (by index or UUID). */
    static List<Integer> visible(List<Gpu> detected, String inheritedVisibility) {
        List<Integer> all = detected.stream().map(Gpu::index).toList();
        if (inheritedVisibility == null) {
            return all;
        }
        Map<String, Integer> byUuid = detected.stream().collect(Collectors.toMap(Gpu::uuid, Gpu::index, (a, b) -> a));
        List<Integer> visible = new ArrayList<>();
        for (String part : inheritedVisibility.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            Integer index = byUuid.get(p);
            if (index == null) {
                try {
                    index = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    // CUDA stops at the first entry it cannot parse, so do we
                    break;
                }
            }
            if (index < 0) {
                break; // "-1" hides every GPU, as CUDA reads it
            }
            if (all.contains(index) && !visible.contains(index)) {
                visible.add(index);
            }
        }
        return List.copyOf(visible);
    }

    public static List<Slot> slots(List<Integer> gpus, int workersPerGpu, int cpuWorkers) {
        List<Slot> slots = new ArrayList<>();
        if (gpus.isEmpty()) {
            for (int lane = 0; lane < cpuWorkers; lane++) {
                slots.add(new Slot(slots.size(), null, lane));
            }
            return List.copyOf(slots);
        }
        // lane-major order spreads the first attempts over all GPUs before doubling up on one
        for (int lane = 0; lane < workersPerGpu; lane++) {
            for (int gpu : gpus) {
                slots.add(new Slot(slots.size(), gpu, lane));
            }
        }
        return List.copyOf(slots);
    }

    private static String describe(List<Integer> indices) {
        return indices.isEmpty() ? "none" : indices.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
