package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code doctor} on fake machines: healthy, a sick GPU, a hung nvidia-smi, no nvidia-smi, TF on the CPU. */
@Tag("e2e")
class DoctorCommandTest extends EndToEndTest {
    private Path cudaLib;
    private Path workerJar;
    private Path probes;

    @BeforeEach
    void fakeMachine() throws IOException {
        gpus = FakeGpus.create(tmp, 2);
        // every library TF needs, as files where ISOFOLD_CUDA_LIB points: 64-bit ELF headers, all the loader's
        // search (and so doctor's) looks at
        cudaLib = Files.createDirectories(tmp.resolve("cuda-lib"));
        for (String soname : io.isofold.shared.CudaLibraries.SONAMES) {
            Files.write(cudaLib.resolve(soname), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        }
        workerJar = FakeTensorFlowWorker.jar(Files.createDirectories(tmp.resolve("worker")));
        probes = tmp.resolve("probes.log");
    }

    private SupervisorProcess doctor(String tf) {
        return supervisor().jvmOption("-Disofold.worker.jar=" + workerJar).env("ISOFOLD_CUDA_LIB", cudaLib.toString())
                .env("FAKE_TF", tf).env("FAKE_TF_LOG", probes.toString()).env("HOME", tmp.toString())
                .env("ISOFOLD_NVIDIA_SMI_TIMEOUT", "3s").timeout(Duration.ofSeconds(60));
    }

    @Test
    void aHealthyMachineIsReadyForItsGpus() throws IOException {
        var o = doctor("gpu").run("doctor");
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.stdout()).contains("driver " + FakeGpus.DRIVER_VERSION).contains("GPU 0").contains("Fake GPU")
                .contains("81559 MiB").contains("healthy").contains(cudaLib.resolve("libcudnn.so.9").toString())
                .contains("/device:GPU:0").contains(tmp.resolve(".cache/isofold/cuda-cache").toString())
                .contains("4294967296").contains("ready for the GPUs");
        // TF's view is asked once per GPU, under that GPU alone
        assertThat(Files.readAllLines(probes)).containsExactly("0", "1");

        var json = doctor("gpu").run("doctor", "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.stdout());
        assertThat(j.get("ready").asBoolean()).isTrue();
        assertThat(j.get("mode").asText()).isEqualTo("gpu");
        assertThat(j.get("problems").asInt()).isZero();
        assertThat(statuses(j)).doesNotContain("problem");
    }

    @Test
    void aSickGpuIsAProblemWithWhatToDo() throws IOException {
        assertThat(doctor("gpu").run("doctor").exitCode()).isZero();
        // the fake reads its sick list at every call, as a run's checks between attempts will
        gpus.markSick(1, "ecc");
        var o = doctor("gpu").run("doctor");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.stdout().lines().filter(l -> l.contains("GPU 1") && l.startsWith("problem")).findFirst())
                .hasValueSatisfying(l -> assertThat(l).contains("3 uncorrected ECC errors"));
        assertThat(o.stdout()).contains("not ready: 1 problem").contains("nvidia-smi -r -i 1");

        var json = doctor("gpu").run("doctor", "--json");
        JsonNode j = new ObjectMapper().readTree(json.stdout());
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(j.get("ready").asBoolean()).isFalse();
        assertThat(j.get("problems").asInt()).isEqualTo(1);
    }

    @Test
    void aHungNvidiaSmiIsAProblemFoundWithinItsTimeLimit() {
        gpus.hang();
        var o = doctor("gpu").run("doctor");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        // the fake sleeps 600 s: a doctor that waited for it would not end within the 60 s limit
        assertThat(o.stdout()).contains("nvidia-smi did not answer within 3 s").contains("--gpus none");
    }

    @Test
    void withoutNvidiaSmiTheMachineIsReadyForTheCpu() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty-bin"));
        var o = doctor("gpu").env("PATH", empty.toString()).env("ISOFOLD_CUDA_LIB", "").run("doctor", "--json");
        assertThat(o.exitCode()).as(o.toString()).isZero();
        JsonNode j = new ObjectMapper().readTree(o.stdout());
        assertThat(j.get("ready").asBoolean()).isTrue();
        assertThat(j.get("mode").asText()).isEqualTo("cpu");
        assertThat(j.get("verdict").asText()).isEqualTo("ready for the CPU");
        assertThat(Files.exists(probes)).as("TF probed on a machine without GPUs").isFalse();
    }

    @Test
    void tensorFlowOnTheCpuUnderAGpuIsAProblemNamingTheMissingLibrary() throws IOException {
        Files.delete(cudaLib.resolve("libcudnn.so.9"));
        var o = doctor("cpu").env("FAKE_TF_MISSING", "libcudnn.so.9").run("doctor");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.stdout().lines().filter(l -> l.startsWith("problem")).toList())
                .anySatisfy(l -> assertThat(l).contains("libcudnn.so.9").contains("not found"))
                .anySatisfy(l -> assertThat(l).contains("TF sees no GPU under CUDA_VISIBLE_DEVICES=0")
                        .contains("missing: libcudnn.so.9"));
    }

    @Test
    void aWorkerWithoutTheListModeLeavesTfsViewUnknownNotAProblem() {
        var o = doctor("gpu").jvmOption("-Disofold.worker.jar=" + tmp.resolve("no-such.jar")).run("doctor");
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.stdout()).contains("unknown: the built-in worker is not built");
    }

    @Test
    void gpusAndDoctorTakeHelp() {
        for (String command : List.of("gpus", "doctor")) {
            var o = supervisor().run(command, "--help");
            assertThat(o.exitCode()).as(o.toString()).isZero();
            assertThat(o.stdout()).contains("Usage:").contains(command);
        }
    }

    private static List<String> statuses(JsonNode j) {
        List<String> s = new ArrayList<>();
        j.get("checks").forEach(c -> s.add(c.get("status").asText()));
        return s;
    }
}
