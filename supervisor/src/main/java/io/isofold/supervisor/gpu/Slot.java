package io.isofold.supervisor.gpu;

/**
 * A place one attempt runs at a time: lane {@code lane} of GPU {@code gpu}, or a CPU lane.
 *
 * @param gpu the physical GPU index, or {@code null} for a CPU slot
 */
public record Slot(int id, Integer gpu, int lane) {

    public boolean cpu() {
        return gpu == null;
    }

    /** The value of ISOFOLD_GPU and of the {gpu} placeholder. */
    public String gpuLabel() {
        return cpu() ? "cpu" : Integer.toString(gpu);
    }

    /** The value of CUDA_VISIBLE_DEVICES: the slot's GPU, or empty so CUDA sees none. */
    public String cudaVisibleDevices() {
        return cpu() ? "" : Integer.toString(gpu);
    }

    public String label() {
        return cpu() ? "cpu/" + lane : "gpu" + gpu + "/" + lane;
    }
}
