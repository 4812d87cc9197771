/**
 * Where TensorFlow computes: how its native library is loaded ({@link io.isofold.worker.device.NativeLoading}),
 * the device a training step really ran on ({@link io.isofold.worker.device.DeviceProbe}; TensorFlow's GPU
 * build falls back to the CPU without a word when CUDA is missing), and what {@code --list-devices} prints for
 * {@code doctor} ({@link io.isofold.worker.device.DeviceReport}).
 *
 * <p>Never imports: worker, data, model, train.
 */
package io.isofold.worker.device;
