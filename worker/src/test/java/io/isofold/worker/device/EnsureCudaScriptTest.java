package io.isofold.worker.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isofold.shared.CudaLibraries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/ensure-cuda.sh where it must not fetch anything: no NVIDIA driver (this machine, CPU CI), a fake
 * nvidia-smi, and a folder already unpacked. The download itself (2 GB) is verified by hand, see docs/gpus.md.
 */
@Tag("unit")
class EnsureCudaScriptTest {
    private static final Path SCRIPT = Path.of("../scripts/ensure-cuda.sh").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Run(int status, String stdout, String stderr) {}

    @BeforeEach
    void noDriverHere() {
        assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a machine with an NVIDIA driver");
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 only, as the script");
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("ISOFOLD_CUDA_HOME", tmp.resolve("cuda").toString());
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    @Test
    void withoutADriverItPrintsNothingAndFetchesNothing() throws Exception {
        Run r = run(Map.of());

        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(tmp.resolve("cuda")).doesNotExist();
    }

    @Test
    void aFakeNvidiaSmiIsNoDriver() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path smi = Files.writeString(bin.resolve("nvidia-smi"), "#!/bin/sh\necho '0, Fake GPU, GPU-fake-0, 81559'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run r = run(Map.of("PATH", bin + ":" + System.getenv("PATH")));

        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(tmp.resolve("cuda")).doesNotExist();
    }

    @Test
    void aFolderAlreadyUnpackedIsPrintedWithoutAFetch() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("cuda/lib"));
        // the script reads the list the worker and doctor use: every library of it but the driver's
        for (String soname : CudaLibraries.SONAMES) {
            if (!soname.equals("libcuda.so.1")) {
                Files.writeString(lib.resolve(soname), "");
            }
        }

        Run r = run(Map.of(), "--force");

        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(lib + "\n");
        assertThat(r.stderr()).doesNotContain("fetching");

        // without the list's last library the folder is incomplete and it goes to fetch: a Maven that fails
        // stands in for the download (2 GB)
        String last = CudaLibraries.SONAMES.get(CudaLibraries.SONAMES.size() - 2);
        Files.delete(lib.resolve(last));
        Path bin = Files.createDirectories(tmp.resolve("fake-bin"));
        for (String tool : List.of("mvn", "unzip")) {
            Path fake = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexit 1\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Run incomplete = run(Map.of("HOME", tmp.toString(), "PATH", bin + ":" + System.getenv("PATH")), "--force");
        assertThat(incomplete.status()).isEqualTo(1);
        assertThat(incomplete.stderr()).contains("cannot fetch");
        Files.writeString(lib.resolve(last), "");

        // and once the loader finds them (on LD_LIBRARY_PATH), nothing is needed
        Run found = run(Map.of("LD_LIBRARY_PATH", lib.toString()), "--force");
        assertThat(found.stdout()).isEmpty();
    }
}
