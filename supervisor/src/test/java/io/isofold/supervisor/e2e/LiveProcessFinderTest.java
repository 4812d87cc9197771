package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The harness itself: the after-test check for live processes of a run would see one. */
@Tag("unit")
class LiveProcessFinderTest extends EndToEndTest {

    @Test
    void liveProcessFinderSeesAWorkerOfTheRun() throws Exception {
        RunDir run = newRun("finder");
        java.nio.file.Path attempt = run.dir().resolve("replicates/0/attempt-1");
        java.nio.file.Files.createDirectories(attempt);
        ProcessBuilder pb = new ProcessBuilder("sleep", "30");
        pb.environment().put("ISOFOLD_ATTEMPT_DIR", attempt.toString());
        Process p = pb.start();
        try {
            assertThat(run.liveProcesses()).containsExactly(p.pid());
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertThat(run.liveProcesses()).isEmpty();
    }
}
