package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 6: scripts/run.sh fetched 2 GB of CUDA on a driver machine for any worker, also a PyTorch
 * one that brings its own. Only the built-in worker's commands (a run without --, doctor, a resume of a
 * built-in run) may. A stand-in driver file and a stand-in fetch that leaves a mark show which ran it.
 */
@Tag("e2e")
class CudaFetchTest extends EndToEndTest {

    @Test
    void cudaIsFetchedForTheBuiltInWorkerOnly() throws Exception {
        Path home = Path.of("").toAbsolutePath().getParent(); // the supervisor module's parent: the repository
        Path driver = Files.writeString(tmp.resolve("nvidiactl"), "");
        Path mark = tmp.resolve("fetched");
        Path fetch = Files.writeString(tmp.resolve("ensure-cuda.sh"), "#!/bin/sh\necho \"$@\" >> " + mark + "\n");
        Files.setPosixFilePermissions(fetch, PosixFilePermissions.fromString("rwxr-xr-x"));

        RunDir custom = newRun("custom");
        List<String> withWorker = new ArrayList<>(List.of("--out", custom.dir().toString(), "--gpus", "none",
                "--folds", "2", "--dry-run"));
        withWorker.addAll(TestWorker.command("ok"));
        assertThat(runSh(home, driver, fetch, withWorker)).isZero();
        assertThat(mark).as("a worker command brings its own CUDA").doesNotExist();
        assertThat(runSh(home, driver, fetch, List.of("status", custom.dir().toString()))).isNotNegative();
        assertThat(mark).as("status starts no worker").doesNotExist();

        RunDir builtIn = newRun("built-in");
        assertThat(runSh(home, driver, fetch, List.of("--out", builtIn.dir().toString(), "--gpus", "none",
                "--folds", "2", "--dry-run"))).isZero();
        assertThat(mark).as("the built-in worker needs TensorFlow's CUDA").exists();
    }

    private int runSh(Path home, Path driver, Path fetch, List<String> args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bash", home.resolve("scripts/run.sh").toString()));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("run-sh.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("ISOFOLD_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("ISOFOLD_NVIDIACTL", driver.toString());
        pb.environment().put("ISOFOLD_ENSURE_CUDA", fetch.toString());
        pb.environment().remove("ISOFOLD_CUDA_LIB");
        pb.environment().put("PATH", gpus.path());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(Files.readString(tmp.resolve("run-sh.log"))).isTrue();
        return p.exitValue();
    }
}
