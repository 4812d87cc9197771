package io.isofold.supervisor.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The parsing behind {@code doctor}: the loader cache, the worker's device list, the CUDA cache settings. */
@Tag("unit")
class DoctorPartsTest {

    @Test
    void theDeviceListIsTheLastJsonLineWithDevices() {
        TensorFlowView v = TensorFlowView.parse("""
                2026-11-30 I tensorflow/core/platform/cpu_feature_guard.cc:210] {not json
                {"devices":["/device:CPU:0"],"cuda_missing":["libcudnn.so.9"]}
                """);
        assertThat(v.known()).isTrue();
        assertThat(v.seesGpu()).isFalse();
        assertThat(v.cudaMissing()).containsExactly("libcudnn.so.9");
        assertThat(TensorFlowView.parse("{\"devices\":[\"/device:CPU:0\",\"/device:GPU:0\"]}").seesGpu()).isTrue();
        assertThat(TensorFlowView.parse("usage: WorkerMain [--task PATH]\n").known()).isFalse();
    }

    @Test
    void cudaCacheDefaultsUnlessTheUserSetThem() {
        CudaCache d = CudaCache.of(Map.of("HOME", "/home/ann"));
        assertThat(d.path()).isEqualTo("/home/ann/.cache/isofold/cuda-cache");
        assertThat(d.maxSize()).isEqualTo(4294967296L);
        assertThat(d.pathSetByUser()).isFalse();
        assertThat(d.workerEnvironment()).containsEntry("CUDA_CACHE_MAXSIZE", "4294967296");
        CudaCache u = CudaCache.of(Map.of("HOME", "/home/ann", "CUDA_CACHE_PATH", "/scratch/cc", "CUDA_CACHE_MAXSIZE", "1000"));
        assertThat(u.path()).isEqualTo("/scratch/cc");
        assertThat(u.maxSize()).isEqualTo(1000);
        assertThat(u.maxSizeSetByUser()).isTrue();
    }
}
