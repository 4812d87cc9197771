package io.isofold.supervisor.gpu;

import java.util.List;

/**
 * One GPU as nvidia-smi lists it; {@code index} is the physical index CUDA_VISIBLE_DEVICES takes.
 *
 * @param migDevices the MIG devices carved out of it, empty when MIG is off: CUDA then runs on those,
 *                   never on the GPU as a whole
 */
public record Gpu(int index, String name, String uuid, long memoryMiB, List<MigDevice> migDevices) {

    public Gpu {
        migDevices = List.copyOf(migDevices);
    }

    public Gpu(int index, String name, String uuid, long memoryMiB) {
        this(index, name, uuid, memoryMiB, List.of());
    }

    public boolean mig() {
        return !migDevices.isEmpty();
    }

    Gpu withMigDevices(List<MigDevice> devices) {
        return new Gpu(index, name, uuid, memoryMiB, devices);
    }
}
