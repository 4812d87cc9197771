package io.isofold.supervisor.gpu;

/**
 * What one slot is pinned to: a whole GPU, or one MIG device of it.
 *
 * @param gpu the physical GPU index (health counters and quarantine are per physical GPU)
 * @param mig the MIG device, or null for the whole GPU
 */
public record CudaDevice(int gpu, MigDevice mig) {

    public static CudaDevice whole(int gpu) {
        return new CudaDevice(gpu, null);
    }

    /** What the worker's CUDA_VISIBLE_DEVICES holds: the index, or the MIG device's UUID (CUDA takes no index for those). */
    public String cudaVisibleDevices() {
        return mig == null ? Integer.toString(gpu) : mig.uuid();
    }

    /** {@code 3}, or {@code 3:mig1} for MIG device 1 of GPU 3: short enough for slot labels and results.csv. */
    public String label() {
        return mig == null ? Integer.toString(gpu) : gpu + ":mig" + mig.index();
    }
}
