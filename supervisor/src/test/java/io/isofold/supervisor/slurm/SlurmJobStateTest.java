package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class SlurmJobStateTest {

    @ParameterizedTest
    @CsvSource({
            "PENDING, PENDING, false", "REQUEUED, PENDING, false", "REQUEUE_HOLD, PENDING, false",
            "CONFIGURING, RUNNING, false", "RUNNING, RUNNING, false", "COMPLETING, RUNNING, false",
            "SUSPENDED, RUNNING, false",
            "COMPLETED, COMPLETED, true", "FAILED, FAILED, true", "TIMEOUT, TIMEOUT, true",
            "OUT_OF_MEMORY, OUT_OF_MEMORY, true", "CANCELLED, CANCELLED, true", "NODE_FAIL, NODE_FAIL, true",
            "PREEMPTED, PREEMPTED, true", "BOOT_FAIL, BOOT_FAIL, true", "DEADLINE, DEADLINE, true",
            "SOMETHING_NEW, UNKNOWN, false"})
    void slurmStatesMapToTheSmallEnum(String slurm, SlurmJobState expected, boolean ended) {
        assertThat(SlurmJobState.of(slurm)).isEqualTo(expected);
        assertThat(expected.ended()).isEqualTo(ended);
    }

    @ParameterizedTest
    @CsvSource({"NODE_FAIL, true", "PREEMPTED, true", "BOOT_FAIL, true", "FAILED, false", "TIMEOUT, false",
            "OUT_OF_MEMORY, false", "CANCELLED, false", "DEADLINE, false"})
    void onlyTheClustersOwnFailuresAreNotTheWorkersFault(SlurmJobState state, boolean clusterFault) {
        assertThat(state.clusterFault()).isEqualTo(clusterFault);
    }
}
