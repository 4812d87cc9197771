package io.isofold.shared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the CUDA libraries TensorFlow 2.18 opens at its first GPU use, the way the dynamic loader would look for
 * them: {@code LD_LIBRARY_PATH}, then the {@code ld.so.cache} (read through {@code ldconfig -p}), then the default
 * folders. TensorFlow itself only says "Could not find cuda drivers" when any of them fails, and falls back to the
 * CPU; this names the ones that would fail. The built-in worker (on its own loader path) and {@code isofold doctor}
 * (on the path the workers will get, {@link #workerLoaderPath}) both ask here.
 *
 * <p>Not a load test: a library that is found but cannot be loaded (wrong driver, missing dependency outside this
 * list) passes here. The dependencies TF needs are in the list, so the common case, a machine with the driver
 * alone, is named exactly.
 */
public final class CudaLibraries {
    /**
     * The folder of CUDA 12 / cuDNN 9 libraries that scripts/ensure-cuda.sh fetched, set by scripts/run.sh for
     * the supervisor, which puts it ahead of the workers' {@code LD_LIBRARY_PATH}.
     */
    public static final String FOLDER_ENV = "ISOFOLD_CUDA_LIB";

    /**
     * The list in {@code cuda-libraries.txt} beside this class, in TF's loading order, the driver's last: the one
     * list the worker, {@code doctor} and scripts/ensure-cuda.sh read.
     */
    public static final List<String> SONAMES = readList();

    /** ldconfig normally answers in a few milliseconds; a hung one must not hold up the worker. */
    private static final long LDCONFIG_TIMEOUT_MILLIS = 3_000;

    /** glibc's built-in folders on x86-64 and arm64 Linux, multiarch (Debian, Ubuntu) and lib64 (Red Hat) layouts. */
    static final List<Path> DEFAULT_DIRS = List.of(
            Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib/aarch64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));

    private final List<Path> ldLibraryPath;
    private final Map<String, Path> cache;
    private final List<Path> defaultDirs;

    CudaLibraries(List<Path> ldLibraryPath, Map<String, Path> cache, List<Path> defaultDirs) {
        this.ldLibraryPath = List.copyOf(ldLibraryPath);
        this.cache = Map.copyOf(cache);
        this.defaultDirs = List.copyOf(defaultDirs);
    }

    /** The loader's view for a process with this environment (LD_LIBRARY_PATH as the loader saw it at start). */
    public static CudaLibraries forEnvironment(Map<String, String> env) {
        return new CudaLibraries(searchPath(env.get("LD_LIBRARY_PATH")), parseLdconfig(runLdconfig()), DEFAULT_DIRS);
    }

    /** Where each soname is found, in {@link #SONAMES} order; empty where the loader would fail. */
    public Map<String, Optional<Path>> locateAll() {
        Map<String, Optional<Path>> out = new LinkedHashMap<>();
        for (String soname : SONAMES) {
            out.put(soname, locate(soname));
        }
        return out;
    }

    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        locateAll().forEach((soname, where) -> {
            if (where.isEmpty()) {
                missing.add(soname);
            }
        });
        return missing;
    }

    Optional<Path> locate(String soname) {
        for (Path dir : ldLibraryPath) {
            Path p = dir.resolve(soname);
            if (isElf64(p)) {
                return Optional.of(p);
            }
        }
        Path cached = cache.get(soname);
        if (cached != null && isElf64(cached)) {
            return Optional.of(cached);
        }
        for (Path dir : defaultDirs) {
            Path p = dir.resolve(soname);
            if (isElf64(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** LD_LIBRARY_PATH's folders; an empty entry means the working directory, as for the loader. */
    static List<Path> searchPath(String value) {
        List<Path> dirs = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return dirs;
        }
        for (String entry : value.split("[:;]", -1)) {
            dirs.add(Path.of(entry.isEmpty() ? "." : entry));
        }
        return dirs;
    }

    /**
     * The cache's entries for this machine's word size: lines like
     * {@code libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1}. The first entry of a name
     * wins, as in the loader's lookup (ldconfig lists the preferred one first).
     */
    static Map<String, Path> parseLdconfig(String output) {
        Map<String, Path> cache = new HashMap<>();
        String tag = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64" -> "AArch64";
            default -> "";
        };
        for (String line : output.split("\n")) {
            int arrow = line.indexOf(" => ");
            int paren = line.indexOf(" (");
            if (arrow < 0 || paren < 0 || paren > arrow) {
                continue;
            }
            String flags = line.substring(paren + 2, arrow);
            if (!flags.contains(tag)) {
                continue;
            }
            cache.putIfAbsent(line.substring(0, paren).trim(), Path.of(line.substring(arrow + 4).trim()));
        }
        return cache;
    }

    /** {@code ldconfig -p}'s output, or "" when no ldconfig answers in time (then only the folders are searched). */
    static String runLdconfig() {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            if (ldconfig.startsWith("/") && !Files.isExecutable(Path.of(ldconfig))) {
                continue;
            }
            Path out = null;
            try {
                out = Files.createTempFile("isofold-ldconfig", ".txt");
                // output to a file, not a pipe: a pipe read cannot time out, and a filled pipe would stall ldconfig
                Process p = new ProcessBuilder(ldconfig, "-p")
                        .redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!p.waitFor(LDCONFIG_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    continue;
                }
                if (p.exitValue() == 0) {
                    return Files.readString(out, StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                // not there or not runnable: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            } finally {
                if (out != null) {
                    try {
                        Files.deleteIfExists(out);
                    } catch (IOException ignored) {
                        // a temp file left behind is harmless
                    }
                }
            }
        }
        return "";
    }

    /** The loader skips files that are not 64-bit ELF objects (a 32-bit library, a broken link, a text stub). */
    static boolean isElf64(Path p) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] h = in.readNBytes(5);
            return h.length == 5 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F' && h[4] == 2;
        } catch (IOException e) {
            return false;
        }
    }

    /** The loader path a worker gets: {@link #FOLDER_ENV}'s folder ahead of the inherited LD_LIBRARY_PATH. */
    public static String workerLoaderPath(Map<String, String> env) {
        String folder = env.get(FOLDER_ENV);
        String inherited = env.get("LD_LIBRARY_PATH");
        if (folder == null || folder.isBlank()) {
            return inherited;
        }
        return inherited == null || inherited.isBlank() ? folder : folder + ":" + inherited;
    }

    private static List<String> readList() {
        try (InputStream in = CudaLibraries.class.getResourceAsStream("cuda-libraries.txt")) {
            if (in == null) {
                throw new IllegalStateException("cuda-libraries.txt is missing from the classpath");
            }
            List<String> names = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    names.add(l.split("\\s+")[0]);
                }
            }
            return List.copyOf(names);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** True on a GPU slot: the supervisor sets a non-empty CUDA_VISIBLE_DEVICES there, an empty one on CPU slots. */
    public static boolean gpuSlot(Map<String, String> env) {
        String v = env.get("CUDA_VISIBLE_DEVICES");
        return v != null && !v.isBlank() && !v.trim().toLowerCase(Locale.ROOT).equals("-1");
    }
}
