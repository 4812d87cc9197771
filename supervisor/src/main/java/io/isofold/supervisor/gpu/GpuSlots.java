package io.isofold.supervisor.gpu;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves {@code --gpus} against what is there and builds the run's slots. Errors are
 * {@link IllegalArgumentException}s whose message is the one line a user sees.
 *
 * <p>A GPU in MIG mode is never a slot itself: each of its MIG devices is one, since CUDA runs only on
 * those. An inherited CUDA_VISIBLE_DEVICES entry that names nothing nvidia-smi lists is an error: CUDA
 * would hide every GPU, and the run would quietly train on the CPU.
 */
public final class GpuSlots {
    private GpuSlots() {}

    /**
     * The run's slots, in one call: what the run loop should be given.
     *
     * @param request             the --gpus value: {@code all}, {@code none} or indices like {@code 0,2,3}
     * @param detected            what nvidia-smi listed ({@link GpuDetector#detect})
     * @param inheritedVisibility the supervisor's own CUDA_VISIBLE_DEVICES, or null when unset
     */
    public static List<Slot> slots(String request, List<Gpu> detected, String inheritedVisibility, int workersPerGpu,
            int cpuWorkers) {
        return slotsOn(devices(request, detected, inheritedVisibility), workersPerGpu, cpuWorkers);
    }

    /** The devices to run on, empty for a CPU run; a GPU in MIG mode stands for all its (visible) MIG devices. */
    public static List<CudaDevice> devices(String request, List<Gpu> detected, String inheritedVisibility) {
        String r = request == null ? "" : request.trim().toLowerCase(java.util.Locale.ROOT);
        if (r.equals("none")) {
            return List.of();
        }
        List<CudaDevice> allowed = visible(detected, inheritedVisibility);
        if (r.equals("all")) {
            return allowed;
        }
        Set<Integer> indices = new LinkedHashSet<>();
        for (String part : r.split(",", -1)) {
            int index;
            try {
                index = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--gpus '" + request + "': expected all, none, or GPU indices like 0,2,3");
            }
            if (allowed.stream().noneMatch(d -> d.gpu() == index)) {
                throw new IllegalArgumentException("--gpus '" + request + "': GPU " + index + " "
                        + (detected.isEmpty() ? "cannot be used, nvidia-smi lists no GPU on this machine"
                                : "is not available (available: " + describe(allowed)
                                        + (inheritedVisibility != null ? ", from CUDA_VISIBLE_DEVICES=" + inheritedVisibility : "")
                                        + ")"));
            }
            if (!indices.add(index)) {
                throw new IllegalArgumentException("--gpus '" + request + "': GPU " + index + " is listed twice");
            }
        }
        List<CudaDevice> chosen = new ArrayList<>();
        for (int index : indices) {
            allowed.stream().filter(d -> d.gpu() == index).forEach(chosen::add);
        }
        return List.copyOf(chosen);
    }

    /**
     * The devices this process may use: all detected, or those its own CUDA_VISIBLE_DEVICES names by
     * index, GPU UUID or MIG UUID (a UUID may be shortened to a unique prefix, as CUDA allows).
     */
    static List<CudaDevice> visible(List<Gpu> detected, String inheritedVisibility) {
        if (inheritedVisibility == null) {
            List<CudaDevice> all = new ArrayList<>();
            detected.forEach(g -> all.addAll(devicesOf(g)));
            return List.copyOf(all);
        }
        Set<CudaDevice> visible = new LinkedHashSet<>();
        for (String part : inheritedVisibility.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.matches("-\\d+")) {
                break; // "-1" hides every GPU from here on, as CUDA reads it
            }
            List<CudaDevice> named = named(entry, detected);
            if (named.isEmpty()) {
                throw new IllegalArgumentException("CUDA_VISIBLE_DEVICES=" + inheritedVisibility + ": '" + entry + "' "
                        + (detected.isEmpty()
                                ? "names a GPU, but nvidia-smi lists none (is it on PATH?); use --gpus none to run on the CPU"
                                : "is none of the GPUs or MIG devices nvidia-smi lists (" + listing(detected)
                                        + "); correct or unset CUDA_VISIBLE_DEVICES"));
            }
            visible.addAll(named);
        }
        return List.copyOf(visible);
    }

    /** The devices one CUDA_VISIBLE_DEVICES entry stands for; empty when it matches nothing. */
    private static List<CudaDevice> named(String entry, List<Gpu> detected) {
        if (entry.matches("\\d+")) {
            int index = Integer.parseInt(entry);
            return detected.stream().filter(g -> g.index() == index).findFirst().map(GpuSlots::devicesOf).orElse(List.of());
        }
        List<List<CudaDevice>> matches = new ArrayList<>();
        for (Gpu g : detected) {
            if (g.uuid().equalsIgnoreCase(entry)) {
                return devicesOf(g);
            }
            if (uuidMatches(g.uuid(), entry)) {
                matches.add(devicesOf(g));
            }
            for (MigDevice m : g.migDevices()) {
                if (m.uuid().equalsIgnoreCase(entry)) {
                    return List.of(new CudaDevice(g.index(), m));
                }
                if (uuidMatches(m.uuid(), entry)) {
                    matches.add(List.of(new CudaDevice(g.index(), m)));
                }
            }
        }
        // a prefix that fits two UUIDs is ambiguous, and CUDA takes neither
        return matches.size() == 1 ? matches.get(0) : List.of();
    }

    /** The whole UUID, or a prefix of it longer than its "GPU-" or "MIG-". */
    private static boolean uuidMatches(String uuid, String entry) {
        return entry.length() > 4 && uuid.regionMatches(true, 0, entry, 0, entry.length());
    }

    private static List<CudaDevice> devicesOf(Gpu g) {
        if (!g.mig()) {
            return List.of(CudaDevice.whole(g.index()));
        }
        return g.migDevices().stream().map(m -> new CudaDevice(g.index(), m)).toList();
    }

    /** Slots on the given devices; CPU slots when there are none. */
    public static List<Slot> slotsOn(List<CudaDevice> devices, int workersPerGpu, int cpuWorkers) {
        List<Slot> slots = new ArrayList<>();
        if (devices.isEmpty()) {
            for (int lane = 0; lane < cpuWorkers; lane++) {
                slots.add(new Slot(slots.size(), null, lane));
            }
            return List.copyOf(slots);
        }
        // lane-major order spreads the first attempts over all devices before doubling up on one
        for (int lane = 0; lane < workersPerGpu; lane++) {
            for (CudaDevice d : devices) {
                slots.add(Slot.on(slots.size(), d, lane));
            }
        }
        return List.copyOf(slots);
    }

    /**
     * The physical indices to use, for callers that build whole-GPU slots with {@link #slots(List, int, int)}.
     * A resolution that needs MIG devices is refused here, since whole-GPU slots cannot pin to them:
     * use {@link #slots(String, List, String, int, int)}.
     */
    public static List<Integer> resolve(String request, List<Gpu> detected, String inheritedVisibility) {
        List<CudaDevice> devices = devices(request, detected, inheritedVisibility);
        devices.stream().filter(d -> d.mig() != null).findFirst().ifPresent(d -> {
            throw new IllegalArgumentException("GPU " + d.gpu() + " is in MIG mode (" + d.mig().uuid()
                    + "), which this run path cannot pin attempts to; use --gpus none to run on the CPU");
        });
        return devices.stream().map(CudaDevice::gpu).distinct().toList();
    }

    /** Whole-GPU slots on physical indices (see {@link #resolve}). */
    public static List<Slot> slots(List<Integer> gpus, int workersPerGpu, int cpuWorkers) {
        return slotsOn(gpus.stream().map(CudaDevice::whole).toList(), workersPerGpu, cpuWorkers);
    }

    private static String describe(List<CudaDevice> devices) {
        return devices.isEmpty() ? "none"
                : devices.stream().map(d -> Integer.toString(d.gpu())).distinct().collect(Collectors.joining(","));
    }

    private static String listing(List<Gpu> detected) {
        List<String> names = new ArrayList<>();
        for (Gpu g : detected) {
            names.add(g.index() + " " + g.uuid());
            g.migDevices().forEach(m -> names.add(m.uuid()));
        }
        return String.join(", ", names);
    }
}
