package io.isofold.worker.device;

import io.isofold.shared.CudaLibraries;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --list-devices} prints, one JSON line: the devices TensorFlow sees in a process with this
 * environment, and the CUDA libraries the loader would (not) find. The supervisor's {@code doctor} runs it under
 * each GPU's {@code CUDA_VISIBLE_DEVICES}.
 *
 * @param devices     TF's short device names, {@code /device:CPU:0}, {@code /device:GPU:0}
 * @param cudaMissing the sonames of {@link CudaLibraries#SONAMES} the loader would not find
 * @param cudaFound   soname to the file it would load, for the others
 */
public record DeviceReport(List<String> devices, List<String> cudaMissing, Map<String, String> cudaFound) {

    public static DeviceReport of(Map<String, String> env) {
        // the CUDA search first: it runs no TF and stays true even if the session below fails
        Map<String, String> found = new LinkedHashMap<>();
        CudaLibraries cuda = CudaLibraries.forEnvironment(env);
        List<String> missing = cuda.missing();
        cuda.locateAll().forEach((soname, where) -> where.ifPresent(p -> found.put(soname, p.toString())));
        return new DeviceReport(TfDevices.list(), missing, found);
    }
}
