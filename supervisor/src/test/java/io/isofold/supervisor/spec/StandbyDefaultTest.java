package io.isofold.supervisor.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** When a run has standby workers though nobody said: where they can only help. */
@Tag("unit")
class StandbyDefaultTest {
    private static RunSpec.Placement placement(String gpus, int cpuWorkers, RunSpec.Backend backend) {
        return new RunSpec.Placement(GpuRequest.parse(gpus), 1, cpuWorkers, backend, List.of(), Defaults.MAX_RUNNING);
    }

    @Test
    void onForTheBuiltInWorkerOnGpusOrOneCpuWorker() {
        assertThat(RunSpec.Options.standbyByDefault(List.of(), placement("all", 1, RunSpec.Backend.LOCAL))).isTrue();
        assertThat(RunSpec.Options.standbyByDefault(List.of(), placement("none", 1, RunSpec.Backend.LOCAL))).isTrue();
        assertThat(RunSpec.Options.standbyByDefault(List.of(), placement("0,1", 1, RunSpec.Backend.LOCAL))).isTrue();
    }

    @Test
    void offWhereTheCoresAreBusyAlreadyOrNoStandbyCanWork() {
        assertThat(RunSpec.Options.standbyByDefault(List.of(), placement("none", 2, RunSpec.Backend.LOCAL)))
                .as("several CPU workers").isFalse();
        assertThat(RunSpec.Options.standbyByDefault(List.of(), placement("all", 1, RunSpec.Backend.SLURM)))
                .as("Slurm places the jobs").isFalse();
        assertThat(RunSpec.Options.standbyByDefault(List.of("./train.sh"), placement("all", 1, RunSpec.Backend.LOCAL)))
                .as("a worker command opts in").isFalse();
    }
}
