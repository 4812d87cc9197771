package io.isofold.supervisor.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class GpuHealthTest {

    @Test
    void countersThatAGpuLacksCountAsHealthy() {
        HealthReport r = GpuHealth.parse("""
                0, GPU-a, 0, No
                1, GPU-b, [N/A], [N/A]
                2, GPU-c, [Not Supported], [Not Supported]
                """, """
                GPU-a, No, No
                GPU-b, [N/A], [N/A]
                """);
        assertThat(r.readable()).isTrue();
        for (int gpu = 0; gpu < 3; gpu++) {
            assertThat(r.state(gpu)).as("GPU %d", gpu).isEqualTo(HealthReport.State.HEALTHY);
            assertThat(r.describe(gpu)).isEqualTo("GPU " + gpu + ": healthy");
        }
        assertThat(r.sickGpus()).isEmpty();
    }

    @Test
    void eachCounterMakesItsGpuSickWithOneLineSayingWhy() {
        HealthReport r = GpuHealth.parse("""
                0, GPU-a, 3, No
                1, GPU-b, 0, Yes
                2, GPU-c, 0, [N/A]
                3, GPU-d, 0, [N/A]
                4, GPU-e, 1, [N/A]
                """, """
                GPU-c, Yes, No
                GPU-d, No, Yes
                GPU-e, 0, 0
                """);
        assertThat(r.describe(0)).isEqualTo("GPU 0: 3 uncorrected ECC errors (reset the GPU or reboot)");
        assertThat(r.describe(1)).isEqualTo("GPU 1: retired pages pending (reset the GPU or reboot)");
        assertThat(r.describe(2)).isEqualTo("GPU 2: remapped rows pending (reset the GPU or reboot)");
        assertThat(r.describe(3)).isEqualTo("GPU 3: row remapping failed (the GPU needs service)");
        assertThat(r.describe(4)).isEqualTo("GPU 4: 1 uncorrected ECC error (reset the GPU or reboot)");
        assertThat(r.sickGpus()).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(r.sick(0)).isTrue();
    }

    @Test
    void aGpuMissingFromAReadingIsSickButNothingReadIsUnknown() {
        HealthReport r = GpuHealth.parse("0, GPU-a, 0, No\n", "");
        assertThat(r.state(1)).isEqualTo(HealthReport.State.SICK);
        assertThat(r.describe(1)).contains("missing");
        HealthReport none = HealthReport.unreadable("nvidia-smi did not answer within 3 s");
        assertThat(none.state(0)).isEqualTo(HealthReport.State.UNKNOWN);
        assertThat(none.sick(0)).isFalse();
        assertThat(none.describe(0)).isEqualTo("GPU 0: health unknown (nvidia-smi did not answer within 3 s)");
    }

    @Test
    void garbageIsUnreadableNotAnException() {
        assertThat(GpuHealth.parse("No devices were found\n", "").unreadable())
                .isEqualTo("unexpected nvidia-smi output: No devices were found");
    }

    @Test
    void aHungNvidiaSmiIsAnUnknownReadingWithinItsTimeLimit(@TempDir Path dir) throws IOException {
        Path smi = script(dir, "exec sleep 600");
        long t0 = System.nanoTime();
        HealthReport r = new GpuHealth(new NvidiaSmi(smi.toString(), Duration.ofMillis(700))).check();
        // the hang it must not wait for is 600 s
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
        assertThat(r.unreadable()).isEqualTo("nvidia-smi did not answer within 700 ms");
        assertThat(r.state(0)).isEqualTo(HealthReport.State.UNKNOWN);
    }

    @Test
    void aMissingNvidiaSmiIsAnUnknownReading(@TempDir Path dir) {
        HealthReport r = new GpuHealth(new NvidiaSmi(dir.resolve("nvidia-smi").toString(), Duration.ofSeconds(5))).check();
        assertThat(r.unreadable()).isEqualTo("cannot run nvidia-smi: not found");
    }

    @Test
    void aDriverThatRefusesTheRemappedRowsQueryStillGivesTheEccReading(@TempDir Path dir) throws IOException {
        Path smi = script(dir, """
                case "$*" in
                  *--query-gpu=*) echo '0, GPU-a, 2, No' ;;
                  *) echo 'Invalid combination of input arguments.' >&2; exit 2 ;;
                esac""");
        HealthReport r = new GpuHealth(new NvidiaSmi(smi.toString(), Duration.ofSeconds(5))).check();
        assertThat(r.readable()).isTrue();
        assertThat(r.describe(0)).startsWith("GPU 0: 2 uncorrected ECC errors");
    }

    /** Found by the soak: an answer with no row at all quarantined every GPU of the run at its start. */
    @Test
    void anAnswerWithoutRowsIsUnreadableNotEveryGpuMissing(@TempDir Path dir) throws IOException {
        Path smi = script(dir, "exit 0");
        HealthReport r = new GpuHealth(new NvidiaSmi(smi.toString(), Duration.ofSeconds(5))).check();
        assertThat(r.readable()).isFalse();
        assertThat(r.sick(0)).isFalse();
        assertThat(r.unreadable()).contains("listed no GPU");
    }

    private static Path script(Path dir, String body) throws IOException {
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return smi;
    }
}
