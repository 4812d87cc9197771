package io.isofold.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class CudaLibrariesTest {
    @TempDir
    Path tmp;

    /** The first bytes of a 64-bit (class 2) or 32-bit (class 1) ELF file: all the search looks at. */
    private static Path elf(Path dir, String name, int elfClass) throws Exception {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1, 0});
    }

    @Test
    void theListHasTheDriverLastAndTheLibrariesTensorFlowOpens() {
        assertThat(CudaLibraries.SONAMES).startsWith("libcudart.so.12").endsWith("libcuda.so.1")
                .contains("libcudnn.so.9", "libcudnn_cnn.so.9", "libnvrtc.so.12").doesNotHaveDuplicates().hasSize(18);
    }

    @Test
    void workersGetTheFetchedFolderAheadOfTheirLoaderPath() {
        assertThat(CudaLibraries.workerLoaderPath(Map.of("ISOFOLD_CUDA_LIB", "/opt/cuda", "LD_LIBRARY_PATH", "/a")))
                .isEqualTo("/opt/cuda:/a");
        assertThat(CudaLibraries.workerLoaderPath(Map.of("ISOFOLD_CUDA_LIB", "/opt/cuda"))).isEqualTo("/opt/cuda");
        assertThat(CudaLibraries.workerLoaderPath(Map.of("LD_LIBRARY_PATH", "/a"))).isEqualTo("/a");
        assertThat(CudaLibraries.workerLoaderPath(Map.of())).isNull();
    }

    @Test
    void ldLibraryPathComesFirstThenTheCacheThenTheDefaultFolders() throws Exception {
        Path first = elf(tmp.resolve("first"), "libcudart.so.12", 2);
        elf(tmp.resolve("cached"), "libcudart.so.12", 2);
        Path cachedCudnn = elf(tmp.resolve("cached"), "libcudnn.so.9", 2);
        Path defaultCuda = elf(tmp.resolve("default"), "libcuda.so.1", 2);
        CudaLibraries libs = new CudaLibraries(List.of(tmp.resolve("empty"), tmp.resolve("first")),
                Map.of("libcudart.so.12", tmp.resolve("cached/libcudart.so.12"), "libcudnn.so.9", cachedCudnn),
                List.of(tmp.resolve("default")));

        assertThat(libs.locate("libcudart.so.12")).contains(first);
        assertThat(libs.locate("libcudnn.so.9")).contains(cachedCudnn);
        assertThat(libs.locate("libcuda.so.1")).contains(defaultCuda);
        assertThat(libs.missing()).doesNotContain("libcudart.so.12", "libcudnn.so.9", "libcuda.so.1")
                .contains("libcublas.so.12", "libnvJitLink.so.12");
    }

    @Test
    void filesTheLoaderWouldSkipDoNotCount() throws Exception {
        Path dir = tmp.resolve("lib");
        elf(dir, "libcudart.so.12", 1); // 32-bit
        Files.writeString(dir.resolve("libcublas.so.12"), "INPUT(libcublas.so.12.6)"); // a linker script
        Files.createSymbolicLink(dir.resolve("libcufft.so.11"), dir.resolve("gone.so"));
        Files.createDirectories(dir.resolve("libcurand.so.10"));
        CudaLibraries libs = new CudaLibraries(List.of(dir), Map.of(), List.of());

        assertThat(libs.missing()).containsExactlyElementsOf(CudaLibraries.SONAMES);
    }

    @Test
    void aFolderHoldingEveryLibraryLeavesNothingMissing() throws Exception {
        Path dir = tmp.resolve("cuda");
        for (String soname : CudaLibraries.SONAMES) {
            elf(dir, soname, 2);
        }
        CudaLibraries libs = CudaLibraries.forEnvironment(Map.of("LD_LIBRARY_PATH", "/nowhere:" + dir));

        assertThat(libs.missing()).isEmpty();
        assertThat(libs.locateAll().values()).allMatch(Optional::isPresent);
    }

    @Test
    void readsThisMachinesLoaderCache() {
        Map<String, Path> cache = CudaLibraries.parseLdconfig(CudaLibraries.runLdconfig());

        // every glibc system caches libc; the entry is the 64-bit one and exists
        assertThat(cache).containsKey("libc.so.6");
        assertThat(CudaLibraries.isElf64(cache.get("libc.so.6"))).isTrue();
    }

    @Test
    void parsesLdconfigLinesKeepingTheFirstEntryOfThisWordSize() {
        String out = """
                3 libs found in cache `/etc/ld.so.cache'
                \tlibcuda.so.1 (libc6) => /usr/lib/i386-linux-gnu/libcuda.so.1
                \tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1
                \tlibcuda.so.1 (libc6,x86-64) => /usr/local/lib/libcuda.so.1
                """;
        Map<String, Path> cache = CudaLibraries.parseLdconfig(out);

        if (System.getProperty("os.arch").equals("amd64")) {
            assertThat(cache).containsOnly(Map.entry("libcuda.so.1", Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1")));
        }
    }

    @Test
    void anEmptyLdLibraryPathEntryIsTheWorkingDirectory() {
        assertThat(CudaLibraries.searchPath("/a::/b")).containsExactly(Path.of("/a"), Path.of("."), Path.of("/b"));
        assertThat(CudaLibraries.searchPath(null)).isEmpty();
    }

    @Test
    void aGpuSlotIsANonEmptyCudaVisibleDevices() {
        assertThat(CudaLibraries.gpuSlot(Map.of("CUDA_VISIBLE_DEVICES", "0"))).isTrue();
        assertThat(CudaLibraries.gpuSlot(Map.of("CUDA_VISIBLE_DEVICES", "MIG-5c1f7e0a"))).isTrue();
        assertThat(CudaLibraries.gpuSlot(Map.of("CUDA_VISIBLE_DEVICES", ""))).isFalse();
        assertThat(CudaLibraries.gpuSlot(Map.of("CUDA_VISIBLE_DEVICES", "-1"))).isFalse();
        assertThat(CudaLibraries.gpuSlot(Map.of())).isFalse();
    }
}
