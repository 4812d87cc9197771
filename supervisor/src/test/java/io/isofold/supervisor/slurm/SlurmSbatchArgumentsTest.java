package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SlurmSbatchArgumentsTest {
    private static final Path DIR = Path.of("/runs/100%/replicates/0/attempt-1");

    @Test
    void isofoldsOptionsThenTheUsersThenTheScriptThenTheWorkerUntouched() throws Exception {
        SlurmSubmission job = new SlurmSubmission("isofold-x-r0-a1", List.of("python", "--time=5", "$(x)"), Map.of(),
                DIR, DIR.resolve("stdout.log"), DIR.resolve("stderr.log"), true, 8L << 30, Duration.ofMinutes(30),
                List.of("--partition=gpu", "--account=lab"));

        assertThat(SlurmClient.sbatchArgv(job, DIR.resolve("slurm-job.sh"))).containsExactly("sbatch", "--parsable",
                "--job-name=isofold-x-r0-a1",
                "--output=/runs/100%%/replicates/0/attempt-1/stdout.log",
                "--error=/runs/100%%/replicates/0/attempt-1/stderr.log",
                "--open-mode=append", "--export=ALL", "--no-requeue", "--gres=gpu:1", "--mem=8192M", "--time=30",
                "--partition=gpu", "--account=lab",
                "/runs/100%/replicates/0/attempt-1/slurm-job.sh", "python", "--time=5", "$(x)");
    }

    @Test
    void limitsRoundUpAndACpuJobAsksForNoGpu() throws Exception {
        SlurmSubmission job = new SlurmSubmission("n", List.of("w"), Map.of(), DIR, DIR.resolve("o"), DIR.resolve("e"),
                false, (1L << 20) + 1, Duration.ofSeconds(5), List.of());

        assertThat(SlurmClient.sbatchArgv(job, DIR.resolve("s"))).contains("--mem=2M", "--time=1")
                .noneMatch(a -> a.startsWith("--gres"));
    }

    /** With a time limit, the job script is warned the kill grace before it (rounded up to whole seconds). */
    @Test
    void theTimeLimitComesWithAWarningTheKillGraceBeforeIt() throws Exception {
        SlurmSubmission job = new SlurmSubmission("n", List.of("w"), Map.of(), DIR, DIR.resolve("o"), DIR.resolve("e"),
                false, null, Duration.ofMinutes(5), List.of("--signal=B:USR1@300"), Duration.ofMillis(10_500));

        // the user's own --signal comes after isofold's, and sbatch takes the last one
        assertThat(SlurmClient.sbatchArgv(job, DIR.resolve("s"))).containsSubsequence("--time=5",
                "--signal=B:USR1@11", "--signal=B:USR1@300");
        SlurmSubmission noLimit = new SlurmSubmission("n", List.of("w"), Map.of(), DIR, DIR.resolve("o"),
                DIR.resolve("e"), false, null, null, List.of(), Duration.ofSeconds(10));
        assertThat(SlurmClient.sbatchArgv(noLimit, DIR.resolve("s"))).noneMatch(a -> a.startsWith("--signal"));
    }

    /** A relative worker command resumed from another folder ran from the resume's folder and was not found. */
    @Test
    void theJobStartsInTheRunsFolder() throws Exception {
        SlurmSubmission job = new SlurmSubmission("n", List.of("./train.sh"), Map.of(), DIR, DIR.resolve("o"),
                DIR.resolve("e"), false, null, null, List.of(), null, Path.of("/home/me/project"));

        assertThat(SlurmClient.sbatchArgv(job, DIR.resolve("s"))).contains("--chdir=/home/me/project");
        SlurmSubmission none = new SlurmSubmission("n", List.of("w"), Map.of(), DIR, DIR.resolve("o"),
                DIR.resolve("e"), false, null, null, List.of());
        assertThat(SlurmClient.sbatchArgv(none, DIR.resolve("s"))).noneMatch(a -> a.startsWith("--chdir"));
    }

    @Test
    void aBackslashInAnOutputPathIsRefused() {
        assertThatThrownBy(() -> SlurmClient.filenamePattern(Path.of("/runs/a\\b/stdout.log")))
                .isInstanceOf(SlurmException.class)
                .hasMessage("sbatch cannot write to a path with a backslash: /runs/a\\b/stdout.log");
    }
}
