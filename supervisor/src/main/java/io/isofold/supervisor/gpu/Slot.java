package io.isofold.supervisor.gpu;

/**
 * A place one attempt runs at a time: lane {@code lane} of a GPU (or of one MIG device of it), a CPU
 * lane, or one of a cluster run's job places ({@link #cluster}).
 *
 * @param gpu     the physical GPU index, or {@code null} for a CPU slot or a cluster slot
 * @param mig     the MIG device of that GPU the slot runs on, or {@code null} for the whole GPU (or the CPU)
 * @param cluster null on this machine; for a slot whose attempts are cluster jobs, what each job asks for.
 *                The scheduler places the job: which node and GPU it gets is known only inside the job
 */
public record Slot(int id, Integer gpu, int lane, MigDevice mig, ClusterJob cluster) {

    /** What one cluster job of a slot asks for. */
    public enum ClusterJob {
        /** One GPU of the scheduler's choosing. */
        GPU,
        /** No GPU. */
        CPU
    }

    /** {@link #gpuLabel} of a cluster GPU slot: the GPU is the scheduler's choice, made when the job starts. */
    public static final String CLUSTER_GPU = "cluster";

    public Slot {
        if (gpu == null && mig != null) {
            throw new IllegalArgumentException("a CPU slot has no MIG device");
        }
        if (cluster != null && gpu != null) {
            throw new IllegalArgumentException("a cluster slot's GPU is the scheduler's choice");
        }
    }

    public Slot(int id, Integer gpu, int lane, MigDevice mig) {
        this(id, gpu, lane, mig, null);
    }

    public Slot(int id, Integer gpu, int lane) {
        this(id, gpu, lane, null, null);
    }

    static Slot on(int id, CudaDevice device, int lane) {
        return new Slot(id, device.gpu(), lane, device.mig());
    }

    /** Place {@code id} of a cluster run: one job at a time, with one GPU or none. */
    public static Slot cluster(int id, ClusterJob job) {
        return new Slot(id, null, id, null, job);
    }

    /** No GPU: a local CPU lane, or a cluster job that asks for none. */
    public boolean cpu() {
        return gpu == null && cluster != ClusterJob.GPU;
    }

    /** The device of a local GPU slot; null on a CPU slot and on a cluster slot. */
    public CudaDevice device() {
        return gpu == null ? null : new CudaDevice(gpu, mig);
    }

    /**
     * The value of ISOFOLD_GPU and of the {gpu} placeholder: {@code 2}, {@code 2:mig1} or {@code cpu};
     * {@value #CLUSTER_GPU} for a cluster GPU slot, whose job learns its GPU when it starts.
     */
    public String gpuLabel() {
        return cluster == ClusterJob.GPU ? CLUSTER_GPU : cpu() ? "cpu" : device().label();
    }

    /** The value of CUDA_VISIBLE_DEVICES: the slot's GPU index or MIG UUID, or empty so CUDA sees none. */
    public String cudaVisibleDevices() {
        return gpu == null ? "" : device().cudaVisibleDevices();
    }

    /** {@code gpu2/0}, {@code gpu2:mig1/0}, {@code cpu/0}, {@code slurm/3}. */
    public String label() {
        return cluster != null ? "slurm/" + lane : cpu() ? "cpu/" + lane : "gpu" + gpuLabel() + "/" + lane;
    }
}
