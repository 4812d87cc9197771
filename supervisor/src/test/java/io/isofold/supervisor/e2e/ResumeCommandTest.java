package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 10 item 5: resume without retyping the command, and a higher limit retries what was given up. */
@Tag("e2e")
class ResumeCommandTest extends EndToEndTest {

    @Test
    void aRunThatGaveUpSaysWhyAndResumesWithAHigherLimit() {
        RunDir run = newRun("gave-up");
        // every replicate fails its first attempt: with --max-attempts 1 both are given up (two, not three: the
        // first attempts of three replicates failing alike would stop the run as a broken command instead)
        SupervisorProcess.Outcome first = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2",
                "--max-attempts", "1"), TestWorker.command("flaky")));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        assertThat(first.stderr()).contains("2 replicates were given up after 1 failed attempt each (--max-attempts)");
        assertThat(first.stdout()).contains("to go on: ").contains("resume " + run.dir() + " --max-attempts <more>");

        SupervisorProcess.Outcome resumed = supervisor().run("resume", run.dir().toString(), "--max-attempts", "2");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.results()).hasSize(2).allSatisfy(r -> assertThat(r.get("attempt")).isEqualTo("2"));
        assertThat(workerStarts()).isEqualTo(4);
    }

    @Test
    void resumeRefusesADirectoryWithoutARunAndAnOptionItCannotChange() {
        RunDir run = newRun("nothing-here");
        SupervisorProcess.Outcome none = supervisor().run("resume", run.dir().toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr().strip()).startsWith("isofold:").contains("holds no isofold run").doesNotContain("\n");
        SupervisorProcess.Outcome folds = supervisor().run("resume", run.dir().toString(), "--folds", "3");
        assertThat(folds.exitCode()).isEqualTo(2);
        assertThat(folds.stderr()).contains("--folds");
    }
}
