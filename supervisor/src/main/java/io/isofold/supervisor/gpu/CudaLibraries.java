package io.isofold.supervisor.gpu;

import io.isofold.supervisor.exec.ExternalCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the CUDA and cuDNN libraries TensorFlow 2.18 {@code dlopen}s by soname are, looked up the way
 * the loader will: the folder of {@code ISOFOLD_CUDA_LIB}, the folders of {@code LD_LIBRARY_PATH},
 * then the loader cache ({@code ldconfig -p}).
 */
public final class CudaLibraries {
    /** Folder of CUDA 12 / cuDNN 9 libraries that isofold puts on the workers' loader path. */
    public static final String CUDA_LIB_ENV = "ISOFOLD_CUDA_LIB";

    /** TF 2.18's list (TFJAVA-NOTES): CUDA 12 runtime libraries, cuDNN 9 and its parts, the driver's libcuda. */
    public static final List<String> SONAMES = List.of(
            "libcuda.so.1", "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11",
            "libcusolver.so.11", "libcusparse.so.12", "libnvJitLink.so.12", "libcurand.so.10", "libcudnn.so.9",
            "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_adv.so.9", "libcudnn_cnn.so.9");

    private static final Pattern LDCONFIG_LINE = Pattern.compile("^\\s*(\\S+)\\s+\\(([^)]*)\\)\\s+=>\\s+(\\S+)");
    private static final Duration LDCONFIG_TIMEOUT = Duration.ofSeconds(10);

    private CudaLibraries() {}

    /** Each soname of {@link #SONAMES} to where it was found, or to null when it was not. */
    public static Map<String, Path> find(Map<String, String> env) {
        List<Path> folders = folders(env);
        Map<String, Path> cache = ldconfigCache();
        Map<String, Path> found = new LinkedHashMap<>();
        for (String soname : SONAMES) {
            Path where = null;
            for (Path folder : folders) {
                if (Files.exists(folder.resolve(soname))) {
                    where = folder.resolve(soname);
                    break;
                }
            }
            found.put(soname, where != null ? where : cache.get(soname));
        }
        return found;
    }

    /** ISOFOLD_CUDA_LIB, then LD_LIBRARY_PATH's folders, in the order they are searched. */
    static List<Path> folders(Map<String, String> env) {
        List<Path> folders = new ArrayList<>();
        String own = env.get(CUDA_LIB_ENV);
        if (own != null && !own.isBlank()) {
            folders.add(Path.of(own));
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String dir : ld.split(File.pathSeparator)) {
                if (!dir.isBlank()) {
                    folders.add(Path.of(dir));
                }
            }
        }
        return folders;
    }

    /** The loader cache; empty when ldconfig is missing or does not answer (the folders above still count). */
    static Map<String, Path> ldconfigCache() {
        // ldconfig lives in /sbin, which a user's PATH often lacks
        for (String ldconfig : List.of("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            try {
                ExternalCommand.Result r = ExternalCommand.run(List.of(ldconfig, "-p"), LDCONFIG_TIMEOUT);
                if (r.ok()) {
                    return parseLdconfig(r.stdout());
                }
            } catch (ExternalCommand.Failed e) {
                // try the next place
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Map.of();
    }

    /** {@code "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12"}; 64-bit entries only. */
    static Map<String, Path> parseLdconfig(String output) {
        Map<String, Path> cache = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = LDCONFIG_LINE.matcher(line);
            if (m.find() && m.group(2).contains("64")) {
                cache.putIfAbsent(m.group(1), Path.of(m.group(3)));
            }
        }
        return cache;
    }
}
