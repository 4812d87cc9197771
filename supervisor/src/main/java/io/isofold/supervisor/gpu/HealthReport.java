package io.isofold.supervisor.gpu;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One reading of the GPUs' health counters ({@link GpuHealth#read}).
 *
 * @param problems   physical GPU index to its one-line problem, e.g. "GPU 1: 3 uncorrected ECC errors",
 *                   for the GPUs that were read and found sick
 * @param listed     the GPUs the reading covered
 * @param unreadable why nothing could be read (nvidia-smi hung, failed, is missing), or null
 */
public record HealthReport(Map<Integer, String> problems, Set<Integer> listed, String unreadable) {

    public enum State { HEALTHY, SICK, UNKNOWN }

    public HealthReport {
        problems = Map.copyOf(problems);
        listed = Set.copyOf(listed);
    }

    static HealthReport unreadable(String why) {
        return new HealthReport(Map.of(), Set.of(), why);
    }

    public boolean readable() {
        return unreadable == null;
    }

    /**
     * SICK when its counters say so, or when a reading that worked does not list it (a GPU that fell
     * off the bus); UNKNOWN only when nothing could be read, which says nothing against one GPU.
     */
    public State state(int gpu) {
        if (!readable()) {
            return State.UNKNOWN;
        }
        return problems.containsKey(gpu) || !listed.contains(gpu) ? State.SICK : State.HEALTHY;
    }

    public boolean sick(int gpu) {
        return state(gpu) == State.SICK;
    }

    /** One line for a log or the doctor: "GPU 1: healthy", the problem, or why it is unknown. */
    public String describe(int gpu) {
        return switch (state(gpu)) {
            case HEALTHY -> "GPU " + gpu + ": healthy";
            case SICK -> problems.getOrDefault(gpu, "GPU " + gpu + ": missing from nvidia-smi's health listing"
                    + " (fallen off the bus?)");
            case UNKNOWN -> "GPU " + gpu + ": health unknown (" + unreadable + ")";
        };
    }

    /** The sick GPUs among those read, in index order. */
    public Map<Integer, String> sickGpus() {
        return new TreeMap<>(problems);
    }
}
