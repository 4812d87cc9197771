package io.isofold.supervisor.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.supervisor.spec.GpuRequest;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class GpuSlotsTest {
    private static final MigDevice MIG_00 = new MigDevice(0, "1g.10gb", "MIG-aaaa-0000");
    private static final MigDevice MIG_01 = new MigDevice(1, "1g.10gb", "MIG-aaaa-0001");
    /** GPU 0 in MIG mode with two MIG devices, GPU 1 and 2 whole. */
    private static final List<Gpu> MACHINE = List.of(
            new Gpu(0, "A100", "GPU-aaaa", 40960, List.of(MIG_00, MIG_01)),
            new Gpu(1, "A100", "GPU-bbbb", 40960),
            new Gpu(2, "A100", "GPU-cccc", 40960));

    @Test
    void allMeansEveryMigDeviceAndEveryWholeGpu() {
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, null)).containsExactly(
                new CudaDevice(0, MIG_00), new CudaDevice(0, MIG_01), CudaDevice.whole(1), CudaDevice.whole(2));
    }

    @Test
    void aMigSlotPinsItsWorkerByUuidAndHasAReadableLabel() {
        List<Slot> slots = GpuSlots.slots(GpuRequest.parse("all"), MACHINE, "MIG-aaaa-0001,2", 2, 1);
        assertThat(slots).extracting(Slot::label).containsExactly("gpu0:mig1/0", "gpu2/0", "gpu0:mig1/1", "gpu2/1");
        Slot mig = slots.get(0);
        assertThat(mig.cudaVisibleDevices()).isEqualTo("MIG-aaaa-0001");
        assertThat(mig.gpuLabel()).isEqualTo("0:mig1");
        assertThat(mig.gpu()).isEqualTo(0);
        assertThat(mig.cpu()).isFalse();
        assertThat(slots.get(1).cudaVisibleDevices()).isEqualTo("2");
        assertThat(slots).extracting(Slot::id).containsExactly(0, 1, 2, 3);
    }

    @Test
    void inheritedMigUuidsAreTheOnlyDevices() {
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "MIG-aaaa-0000,MIG-aaaa-0001"))
                .containsExactly(new CudaDevice(0, MIG_00), new CudaDevice(0, MIG_01));
    }

    @Test
    void anInheritedGpuInMigModeStandsForItsMigDevices() {
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "0")).hasSize(2);
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "GPU-aaaa")).hasSize(2);
        assertThat(GpuSlots.devices(GpuRequest.parse("0"), MACHINE, "MIG-aaaa-0001")).containsExactly(new CudaDevice(0, MIG_01));
    }

    @Test
    void inheritedUuidsMayBeUniquePrefixes() {
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "GPU-bb")).containsExactly(CudaDevice.whole(1));
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "MIG-aaaa-0000")).containsExactly(new CudaDevice(0, MIG_00));
    }

    @Test
    void anInheritedEntryThatMatchesNothingIsRefusedNotARunOnTheCpu() {
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "MIG-ffff-0000,MIG-aaaa-0000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("CUDA_VISIBLE_DEVICES=MIG-ffff-0000,MIG-aaaa-0000: 'MIG-ffff-0000' is none of")
                .hasMessageContaining("MIG-aaaa-0000").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "GPU-dddd")).hasMessageContaining("'GPU-dddd'");
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "7")).hasMessageContaining("'7'");
        // an ambiguous prefix names no device for CUDA either
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "MIG-aaaa")).hasMessageContaining("'MIG-aaaa'");
    }

    @Test
    void inheritedDevicesWithoutNvidiaSmiAreRefused() {
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("all"), List.of(), "MIG-aaaa-0000"))
                .hasMessageContaining("nvidia-smi lists none").hasMessageContaining("--gpus none");
    }

    @Test
    void noneIgnoresWhateverIsInherited() {
        assertThat(GpuSlots.slots(GpuRequest.parse("none"), List.of(), "MIG-whatever", 1, 2)).extracting(Slot::label)
                .containsExactly("cpu/0", "cpu/1");
    }

    @Test
    void minusOneAndEmptyHideEveryGpuAsCudaReadsThem() {
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "")).isEmpty();
        assertThat(GpuSlots.devices(GpuRequest.parse("all"), MACHINE, "1,-1,2")).containsExactly(CudaDevice.whole(1));
    }

    @Test
    void indicesOutsideTheVisibleOnesAreRefused() {
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("2"), MACHINE, "1"))
                .hasMessage("--gpus '2': GPU 2 is not available (available: 1, from CUDA_VISIBLE_DEVICES=1)");
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("1,1"), MACHINE, null)).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> GpuSlots.devices(GpuRequest.parse("x"), MACHINE, null)).hasMessageContaining("expected all, none");
    }

    @Test
    void theWholeGpuPathRefusesMigInsteadOfPinningToTheWholeGpu() {
        assertThat(GpuSlots.resolve(GpuRequest.parse("1,2"), MACHINE, null)).containsExactly(1, 2);
        assertThatThrownBy(() -> GpuSlots.resolve(GpuRequest.parse("all"), MACHINE, null)).hasMessageContaining("MIG mode");
    }

    @Test
    void cpuAndWholeGpuSlotsKeepTheirLabels() {
        assertThat(new Slot(0, null, 1).label()).isEqualTo("cpu/1");
        assertThat(new Slot(0, null, 1).cudaVisibleDevices()).isEmpty();
        assertThat(new Slot(0, null, 1).gpuLabel()).isEqualTo("cpu");
        assertThat(new Slot(3, 2, 0).label()).isEqualTo("gpu2/0");
        assertThat(new Slot(3, 2, 0).gpuLabel()).isEqualTo("2");
    }
}
