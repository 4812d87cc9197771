package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.gpu.CudaDevice;
import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.spec.GpuRequest;
import io.isofold.supervisor.gpu.MigDevice;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints the GPUs (and MIG devices) nvidia-smi lists and which of them a run with {@code --gpus all} would use. */
@Command(name = "gpus", mixinStandardHelpOptions = true, description = "List the GPUs a run would use.")
final class GpusCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        List<Gpu> gpus;
        try {
            gpus = new GpuDetector().detect();
        } catch (GpuDetector.DetectionFailed e) {
            System.err.println("isofold: " + e.getMessage() + "; a GPU run would stop here (use --gpus none to run on the CPU)");
            return ExitStatus.BAD_INPUT.code();
        }
        String inherited = System.getenv("CUDA_VISIBLE_DEVICES");
        List<CudaDevice> usable;
        try {
            usable = GpuSlots.devices(GpuRequest.ALL, gpus, inherited);
        } catch (IllegalArgumentException e) {
            System.err.println("isofold: " + e.getMessage());
            return ExitStatus.BAD_INPUT.code();
        }
        if (gpus.isEmpty()) {
            System.out.println("no GPU found (nvidia-smi is not on PATH or lists none); runs use --cpu-workers CPU slots");
            return ExitStatus.COMPLETE.code();
        }
        for (Gpu g : gpus) {
            boolean used = usable.stream().anyMatch(d -> d.gpu() == g.index());
            System.out.printf(Locale.ROOT, "%d  %-28s %6d MiB  %s%s%n", g.index(), g.name(), g.memoryMiB(), g.uuid(),
                    g.mig() ? "  (MIG mode: one slot per MIG device)"
                            : used ? "" : "  (hidden by CUDA_VISIBLE_DEVICES)");
            for (MigDevice m : g.migDevices()) {
                boolean migUsed = usable.contains(new CudaDevice(g.index(), m));
                System.out.printf(Locale.ROOT, "   %-8s %-26s %s%s%n", g.index() + ":mig" + m.index(), "MIG " + m.profile(), m.uuid(),
                        migUsed ? "" : "  (hidden by CUDA_VISIBLE_DEVICES)");
            }
        }
        if (inherited != null) {
            System.out.println("CUDA_VISIBLE_DEVICES=" + inherited + ": --gpus all uses "
                    + usable.stream().map(CudaDevice::label).toList());
        }
        return ExitStatus.COMPLETE.code();
    }
}
