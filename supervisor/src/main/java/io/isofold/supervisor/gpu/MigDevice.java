package io.isofold.supervisor.gpu;

/**
 * A MIG device as {@code nvidia-smi -L} lists it under its GPU:
 * {@code "  MIG 1g.10gb     Device  0: (UUID: MIG-...)"}.
 *
 * @param index   its device number within its GPU
 * @param profile the profile name, e.g. {@code 1g.10gb}
 * @param uuid    what CUDA_VISIBLE_DEVICES takes: {@code MIG-<uuid>} (drivers before R470:
 *                {@code MIG-GPU-<uuid>/<gi>/<ci>})
 */
public record MigDevice(int index, String profile, String uuid) {}
