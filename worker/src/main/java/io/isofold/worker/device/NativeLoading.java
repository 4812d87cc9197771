package io.isofold.worker.device;

import io.isofold.shared.CudaLibraries;
/**
 * How this JVM loads TensorFlow's native libraries, set before anything touches TensorFlow.
 *
 * <p>TF Java 1.1.0's loading class, on the GPU artifact, first tries to preload eighteen CUDA 11 and
 * cuDNN 8 libraries by their old names ({@code cudart@.11.0}, {@code cudnn@.8}, ...): JavaCPP searches
 * every jar and folder for each, about 10 ms apiece, and finds none. TensorFlow 2.18 does not use them:
 * it opens CUDA 12 and cuDNN 9 itself when it needs the GPU (see {@link CudaLibraries}). The preload
 * list is added only when the platform extension ends in {@code -gpu}; the extension {@code -gpu/}
 * names the same folder of the jar ({@code linux-x86_64-gpu/}, JavaCPP folds the doubled slash) and
 * skips the list. Measured on 2 cores: TF's loading class 0.57-0.75 s instead of 0.86-0.99 s. The CPU
 * artifact is still found: JavaCPP also tries each library without an extension.
 */
public final class NativeLoading {
    static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";

    private NativeLoading() {}

    /** Skips the stale CUDA 11 preloads, unless the user chose an extension (-D...extension=...). */
    public static void skipStaleCudaPreloads() {
        if (System.getProperty(EXTENSION) == null) {
            System.setProperty(EXTENSION, "-gpu/");
        }
    }
}
