package io.isofold.supervisor.gpu;

/** One GPU as nvidia-smi lists it; {@code index} is the physical index CUDA_VISIBLE_DEVICES takes. */
public record Gpu(int index, String name, String uuid, long memoryMiB) {}
