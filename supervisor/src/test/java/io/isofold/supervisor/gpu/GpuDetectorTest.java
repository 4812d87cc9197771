package io.isofold.supervisor.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class GpuDetectorTest {

    @Test
    void migDevicesAreListedUnderTheGpuLineTheyFollow() {
        // nvidia-smi -L of an A100 in MIG mode beside one that is not (R470 and later)
        String listing = """
                GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77)
                  MIG 3g.20gb     Device  0: (UUID: MIG-e07a497d-1bb6-5a42-b670-1c33bf55ab6e)
                  MIG 1g.5gb      Device  1: (UUID: MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f)
                GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-fcf41002-68b6-5900-d7d1-74026173bb44)
                """;
        Map<Integer, List<MigDevice>> mig = GpuDetector.parseMigDevices(listing);
        assertThat(mig).containsOnlyKeys(0);
        assertThat(mig.get(0)).containsExactly(
                new MigDevice(0, "3g.20gb", "MIG-e07a497d-1bb6-5a42-b670-1c33bf55ab6e"),
                new MigDevice(1, "1g.5gb", "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f"));
    }

    @Test
    void theOlderMigUuidFormIsKeptAsListed() {
        // R450 listed MIG devices as MIG-GPU-<uuid>/<gi>/<ci>, the form CUDA 11.0 took
        String listing = """
                GPU 0: A100-SXM4-40GB (UUID: GPU-e91edf3b-b297-37c1-a2a7-7601c3238fa2)
                  MIG 1g.5gb Device 0: (UUID: MIG-GPU-e91edf3b-b297-37c1-a2a7-7601c3238fa2/1/0)
                """;
        assertThat(GpuDetector.parseMigDevices(listing).get(0))
                .containsExactly(new MigDevice(0, "1g.5gb", "MIG-GPU-e91edf3b-b297-37c1-a2a7-7601c3238fa2/1/0"));
    }

    @Test
    void queryLinesBecomeGpusAndMigDevicesJoinTheirGpu() throws Exception {
        List<Gpu> gpus = GpuDetector.parse("0, NVIDIA H100 80GB HBM3, GPU-a, 81559\n1, NVIDIA H100 80GB HBM3, GPU-b, 81559\n");
        List<Gpu> joined = GpuDetector.withMigDevices(gpus, Map.of(1, List.of(new MigDevice(0, "1g.10gb", "MIG-x"))));
        assertThat(joined.get(0).mig()).isFalse();
        assertThat(joined.get(1).migDevices()).extracting(MigDevice::uuid).containsExactly("MIG-x");
        assertThat(joined.get(1).memoryMiB()).isEqualTo(81559);
    }
}
