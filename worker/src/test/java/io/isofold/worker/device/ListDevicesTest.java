package io.isofold.worker.device;

import io.isofold.shared.CudaLibraries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.worker.ChildJvm;
import io.isofold.worker.WorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --list-devices} in a fresh JVM, as the supervisor's doctor runs it under a GPU's CUDA_VISIBLE_DEVICES. */
@Tag("e2e")
class ListDevicesTest {
    @TempDir
    Path tmp;

    @Test
    void printsOneJsonLineWithTheDevicesTensorFlowSeesAndTheMissingCudaLibraries() throws Exception {
        assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a machine with an NVIDIA driver");
        Process p = ChildJvm.start(tmp, Map.of("CUDA_VISIBLE_DEVICES", "0"), WorkerMain.class, "--list-devices");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(tmp.resolve("stderr.log"));
        assertThat(p.exitValue()).as(stderr).isZero();

        List<String> lines = Files.readAllLines(tmp.resolve("stdout.log"));
        assertThat(lines).hasSize(1);
        JsonNode json = Json.MAPPER.readTree(lines.get(0));
        assertThat(strings(json.path("devices"))).containsExactly("/device:CPU:0");
        assertThat(strings(json.path("cuda_missing"))).contains("libcuda.so.1", "libcudart.so.12");
        List<String> named = new ArrayList<>(strings(json.path("cuda_missing")));
        json.path("cuda_found").fieldNames().forEachRemaining(named::add);
        assertThat(named).containsExactlyInAnyOrderElementsOf(CudaLibraries.SONAMES);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
