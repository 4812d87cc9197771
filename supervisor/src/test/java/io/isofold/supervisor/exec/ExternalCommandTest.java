package io.isofold.supervisor.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ExternalCommandTest {

    @Test
    void returnsExitCodeAndOutput() throws Exception {
        ExternalCommand.Result r = ExternalCommand.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.firstLine()).isEqualTo("err");
    }

    /** The bug it fixes: output was read to the end before the time limit was applied, so a hang hung us too. */
    @Test
    void aHungProgramThatKeepsItsOutputOpenTimesOut() {
        long start = System.nanoTime();
        // the background child keeps stdout open after its parent is killed: a pipe reader would block on it
        assertThatThrownBy(() -> ExternalCommand.run(List.of("sh", "-c", "echo partial; sleep 60 & sleep 60"),
                Duration.ofMillis(500)))
                .isInstanceOf(ExternalCommand.Failed.class)
                .hasMessage("sh did not answer within 500 ms");
        // the hang it must not wait for is 60 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aMissingProgramIsNotFound() {
        assertThatThrownBy(() -> ExternalCommand.run(List.of("isofold-no-such-program"), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ExternalCommand.Failed.class, f -> assertThat(f.notFound()).isTrue())
                .hasMessage("cannot run isofold-no-such-program: not found");
    }

    @Test
    void outputIsCapped() throws Exception {
        ExternalCommand.Result r = ExternalCommand.run(List.of("sh", "-c", "head -c 10000000 /dev/zero"),
                Duration.ofSeconds(20));
        assertThat(r.stdout().length()).isEqualTo(ExternalCommand.MAX_OUTPUT_BYTES);
    }
}
