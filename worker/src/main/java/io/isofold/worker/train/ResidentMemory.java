package io.isofold.worker.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size from /proc, which counts TensorFlow's native allocations that the
 * Java heap figures miss.
 */
public final class ResidentMemory {
    private ResidentMemory() {}

    /** Resident set size in MiB, or -1 where /proc is not available. */
    public static double mib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: the figure is informative only
        }
        return -1;
    }
}
