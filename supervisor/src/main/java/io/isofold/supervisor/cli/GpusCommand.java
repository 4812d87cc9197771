package io.isofold.supervisor.cli;

import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuSlots;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints the GPUs nvidia-smi lists and which of them a run with {@code --gpus all} would use. */
@Command(name = "gpus", description = "List the GPUs a run would use.")
final class GpusCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        List<Gpu> gpus;
        try {
            gpus = new GpuDetector().detect();
        } catch (GpuDetector.DetectionFailed e) {
            System.err.println("isofold: " + e.getMessage());
            return 2;
        }
        if (gpus.isEmpty()) {
            System.out.println("no GPU found (nvidia-smi is not on PATH or lists none); runs use --cpu-workers CPU slots");
            return 0;
        }
        String inherited = System.getenv("CUDA_VISIBLE_DEVICES");
        List<Integer> usable = GpuSlots.resolve("all", gpus, inherited);
        for (Gpu g : gpus) {
            System.out.printf("%d  %-28s %6d MiB  %s%s%n", g.index(), g.name(), g.memoryMiB(), g.uuid(),
                    usable.contains(g.index()) ? "" : "  (hidden by CUDA_VISIBLE_DEVICES)");
        }
        if (inherited != null) {
            System.out.println("CUDA_VISIBLE_DEVICES=" + inherited + ": --gpus all uses " + usable);
        }
        return 0;
    }
}
