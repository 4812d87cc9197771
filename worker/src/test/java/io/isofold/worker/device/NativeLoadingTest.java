package io.isofold.worker.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.worker.ChildJvm;
import io.isofold.worker.WorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's JVM loads TensorFlow without searching for the CUDA 11 libraries TF 2.18 never uses. */
@Tag("e2e")
class NativeLoadingTest {
    private static final String DEBUG = "-Dorg.bytedeco.javacpp.logger.debug=true";

    @TempDir
    Path tmp;

    @Test
    void theWorkerLoadsTensorFlowWithoutTheStaleCudaPreloads() throws Exception {
        String stderr = listDevices(List.of(DEBUG));
        assertThat(stderr).contains("libtensorflow_cc.so.2").doesNotContain("Loading library cudart");
    }

    @Test
    void anExtensionTheUserChoseIsKept() throws Exception {
        // the same worker, told the extension JavaCPP would pick itself: the preloads are back, so the
        // case above would see them if the worker did not skip them
        String stderr = listDevices(List.of(DEBUG, "-D" + NativeLoading.EXTENSION + "=-gpu"));
        assertThat(stderr).contains("libtensorflow_cc.so.2", "Loading library cudart");
    }

    /** The worker's --list-devices in a fresh JVM; its stderr, after checking that TF ran on the CPU. */
    private String listDevices(List<String> jvmOptions) throws Exception {
        Path out = tmp.resolve("out-" + jvmOptions.size());
        Path err = tmp.resolve("err-" + jvmOptions.size());
        List<String> cmd = new ArrayList<>(ChildJvm.command(jvmOptions, WorkerMain.class, "--list-devices"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("CUDA_VISIBLE_DEVICES", "");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err);
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(Files.readString(out)).contains("/device:CPU:0");
        return stderr;
    }
}
