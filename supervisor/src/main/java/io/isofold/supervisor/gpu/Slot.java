package io.isofold.supervisor.gpu;

/**
 * A place one attempt runs at a time: lane {@code lane} of a GPU (or of one MIG device of it), or a CPU lane.
 *
 * @param gpu the physical GPU index, or {@code null} for a CPU slot
 * @param mig the MIG device of that GPU the slot runs on, or {@code null} for the whole GPU (or the CPU)
 */
public record Slot(int id, Integer gpu, int lane, MigDevice mig) {

    public Slot {
        if (gpu == null && mig != null) {
            throw new IllegalArgumentException("a CPU slot has no MIG device");
        }
    }

    public Slot(int id, Integer gpu, int lane) {
        this(id, gpu, lane, null);
    }

    static Slot on(int id, CudaDevice device, int lane) {
        return new Slot(id, device.gpu(), lane, device.mig());
    }

    public boolean cpu() {
        return gpu == null;
    }

    /** The device of a GPU slot; null on a CPU slot. */
    public CudaDevice device() {
        return cpu() ? null : new CudaDevice(gpu, mig);
    }

    /** The value of ISOFOLD_GPU and of the {gpu} placeholder: {@code 2}, {@code 2:mig1} or {@code cpu}. */
    public String gpuLabel() {
        return cpu() ? "cpu" : device().label();
    }

    /** The value of CUDA_VISIBLE_DEVICES: the slot's GPU index or MIG UUID, or empty so CUDA sees none. */
    public String cudaVisibleDevices() {
        return cpu() ? "" : device().cudaVisibleDevices();
    }

    /** {@code gpu2/0}, {@code gpu2:mig1/0}, {@code cpu/0}. */
    public String label() {
        return cpu() ? "cpu/" + lane : "gpu" + gpuLabel() + "/" + lane;
    }
}
