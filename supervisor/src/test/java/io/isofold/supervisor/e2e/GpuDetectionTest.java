package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What a run and {@code gpus} make of what nvidia-smi says: hangs, MIG devices, inherited CUDA_VISIBLE_DEVICES. */
@Tag("e2e")
class GpuDetectionTest extends EndToEndTest {

    @Test
    void aHungNvidiaSmiStopsARunWithinItsTimeLimitWithOneLine() {
        gpus.hang();
        RunDir run = newRun("hung-smi");
        // the fake nvidia-smi sleeps 600 s: a run that waited for it would not end within the limit
        var o = supervisor().env("ISOFOLD_NVIDIA_SMI_TIMEOUT", "2s").timeout(Duration.ofSeconds(60))
                .run(args(run, List.of("--folds", "2"), TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).as(o.toString()).singleElement().asString()
                .startsWith("isofold: ").contains("nvidia-smi did not answer within 2 s").contains("--gpus none");
        assertThat(run.dir().resolve("journal.jsonl")).doesNotExist();
    }

    @Test
    void aHungNvidiaSmiStopsTheGpusCommandToo() {
        gpus.hang();
        var o = supervisor().env("ISOFOLD_NVIDIA_SMI_TIMEOUT", "2s").timeout(Duration.ofSeconds(60)).run("gpus");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).singleElement().asString()
                .startsWith("isofold: nvidia-smi did not answer within 2 s").contains("--gpus none");
    }

    @Test
    void aBadTimeoutSettingIsNamed() {
        var o = supervisor().env("ISOFOLD_NVIDIA_SMI_TIMEOUT", "soon").run("gpus");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr()).startsWith("isofold: ISOFOLD_NVIDIA_SMI_TIMEOUT: 'soon' is not a duration");
    }

    @Test
    void gpusListsMigDevicesAsTheirOwnSlots() {
        gpus = FakeGpus.create(tmp, 2, 2);
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "MIG-fake-0-1,1").run("gpus");
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.stdout()).contains("MIG mode").contains("0:mig0").contains("MIG-fake-0-0")
                .contains("--gpus all uses [0:mig1, 1]");
        assertThat(o.stdout().lines().filter(l -> l.contains("MIG-fake-0-0")).findFirst().orElseThrow())
                .contains("hidden by CUDA_VISIBLE_DEVICES");
    }

    @Test
    void anInheritedMigDeviceThatMatchesNothingIsAUsageErrorNotACpuRun() {
        gpus = FakeGpus.create(tmp, 2, 2);
        RunDir run = newRun("unknown-mig");
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "MIG-0c6d4f1e-42e4-5de3-91c7-45d71c87eb3f,MIG-fake-0-0")
                .run(args(run, List.of("--folds", "2"), TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).singleElement().asString()
                .startsWith("isofold: CUDA_VISIBLE_DEVICES=").contains("'MIG-0c6d4f1e-42e4-5de3-91c7-45d71c87eb3f'");
        assertThat(workerStarts()).isZero();
    }

    @Test
    void anInheritedGpuUuidThatMatchesNothingIsAUsageError() {
        RunDir run = newRun("unknown-gpu");
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77")
                .run(args(run, List.of("--folds", "2"), TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr()).contains("'GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77' is none of");
        assertThat(workerStarts()).isZero();
    }

    @Test
    void eachInheritedMigDeviceIsASlotAndItsWorkersGetItsUuid() {
        gpus = FakeGpus.create(tmp, 2, 2);
        RunDir run = newRun("mig");
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "MIG-fake-0-0,MIG-fake-0-1")
                .run(args(run, List.of("--folds", "2", "--replicates", "4"), TestWorker.command("ok", "0.3")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(4);
        assertThat(workers).extracting(w -> w.env("CUDA_VISIBLE_DEVICES"))
                .containsOnly("MIG-fake-0-0", "MIG-fake-0-1").contains("MIG-fake-0-0", "MIG-fake-0-1");
        for (WorkerRecord w : workers) {
            String mig = w.env("CUDA_VISIBLE_DEVICES");
            assertThat(w.env("ISOFOLD_GPU")).isEqualTo(mig.equals("MIG-fake-0-0") ? "0:mig0" : "0:mig1");
        }
        assertThat(run.launches()).extracting(e -> e.get("slot").asText()).containsOnly("gpu0:mig0/0", "gpu0:mig1/0");
    }
}
