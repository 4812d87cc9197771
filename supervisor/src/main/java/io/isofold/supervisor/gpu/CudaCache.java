package io.isofold.supervisor.gpu;

import java.nio.file.Path;
import java.util.Map;

/**
 * The CUDA JIT cache the workers use. TF 2.18 may compile its kernels from PTX at first use on newer
 * GPUs (minutes); with a process per replicate that is paid again by every replicate unless the cache
 * persists and is large enough, so isofold sets both unless the user did.
 *
 * @param path           CUDA_CACHE_PATH
 * @param pathSetByUser  false when {@code path} is isofold's default
 * @param maxSize        CUDA_CACHE_MAXSIZE in bytes, or -1 when the user's value is not a number
 * @param maxSizeSetByUser false when {@code maxSize} is isofold's default
 */
public record CudaCache(String path, boolean pathSetByUser, long maxSize, boolean maxSizeSetByUser) {
    public static final String PATH_ENV = "CUDA_CACHE_PATH";
    public static final String MAXSIZE_ENV = "CUDA_CACHE_MAXSIZE";
    /** 4 GiB: TF's notes suggest 2 GiB or more; a few models' kernels fit. */
    public static final long DEFAULT_MAXSIZE = 4L << 30;
    /** Below this, CUDA evicts TF's kernels and the next replicate compiles them again. */
    public static final long ENOUGH = 2L << 30;

    public static CudaCache of(Map<String, String> env) {
        String path = env.get(PATH_ENV);
        String size = env.get(MAXSIZE_ENV);
        boolean userPath = path != null && !path.isBlank();
        boolean userSize = size != null && !size.isBlank();
        long maxSize = DEFAULT_MAXSIZE;
        if (userSize) {
            try {
                maxSize = Long.parseLong(size.trim());
            } catch (NumberFormatException e) {
                maxSize = -1;
            }
        }
        return new CudaCache(userPath ? path : defaultPath(env), userPath, maxSize, userSize);
    }

    /** {@code ~/.cache/isofold/cuda-cache}: one per user, kept across runs. */
    static String defaultPath(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".cache", "isofold", "cuda-cache").toString();
    }

    /** What a worker's environment gets: the two variables, the user's values where set. */
    public Map<String, String> workerEnvironment() {
        return Map.of(PATH_ENV, path, MAXSIZE_ENV, maxSizeSetByUser && maxSize < 0 ? "" : Long.toString(maxSize));
    }
}
