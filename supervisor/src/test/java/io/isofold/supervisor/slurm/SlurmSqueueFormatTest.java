package io.isofold.supervisor.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lines as squeue 22.05.8 printed them for SqueueFormat.COLUMNS on the test cluster, and the states
 * that cluster cannot produce (OUT_OF_MEMORY needs task/cgroup, NODE_FAIL a second node).
 */
@Tag("unit")
class SlurmSqueueFormatTest {

    @Test
    void aCompletedJob() {
        SlurmJobStatus s = one("7|COMPLETED|0|localhost|localhost|None|2026-11-29T16:52:02|isofold-r0-a1|");
        assertThat(s).isEqualTo(new SlurmJobStatus(7, "isofold-r0-a1", SlurmJobState.COMPLETED, "COMPLETED", 0, null,
                "localhost", null, LocalDateTime.parse("2026-11-29T16:52:02").atZone(ZoneId.systemDefault())
                        .toInstant()));
    }

    /** Slurm keeps the raw wait status: 768 is exit 3, 36608 is exit 143, 9 is SIGKILL. */
    @Test
    void exitCodesAndSignalsFromTheRawWaitStatus() {
        assertThat(one("10|FAILED|768|localhost|localhost|NonZeroExitCode|2026-11-29T16:52:02|f|").exitCode())
                .isEqualTo(3);
        SlurmJobStatus timeout = one("21|TIMEOUT|36608|localhost|localhost|TimeLimit|2026-11-29T16:52:02|t|");
        assertThat(timeout.state()).isEqualTo(SlurmJobState.TIMEOUT);
        assertThat(timeout.exitCode()).isEqualTo(143);
        assertThat(timeout.reason()).isEqualTo("TimeLimit");
        SlurmJobStatus killed = one("22|CANCELLED|9|localhost|localhost|None|2026-11-29T16:52:02|k|");
        assertThat(killed.exitCode()).isNull();
        assertThat(killed.signal()).isEqualTo(9);
    }

    @Test
    void aPendingJobHasAReasonAndNoNodeExitCodeOrStart() {
        SlurmJobStatus s = one("18|PENDING|0|n/a||Resources|N/A|g5|");
        assertThat(s.state()).isEqualTo(SlurmJobState.PENDING);
        assertThat(s.reason()).isEqualTo("Resources");
        assertThat(s.node()).isNull();
        assertThat(s.exitCode()).isNull();
        assertThat(s.started()).isNull();
    }

    @Test
    void aRunningJobHasNoExitCodeYet() {
        SlurmJobStatus s = one("11|RUNNING|0|localhost|localhost|None|2026-11-29T16:52:02|sleeper|");
        assertThat(s.state()).isEqualTo(SlurmJobState.RUNNING);
        assertThat(s.exitCode()).isNull();
        assertThat(s.signal()).isNull();
    }

    @Test
    void theNameMayHoldTheSeparatorSinceItComesLast() {
        assertThat(one("5|RUNNING|0|node1|node1|None|2026-11-29T16:52:02|a|b|c|").name()).isEqualTo("a|b|c");
    }

    @Test
    void linesThatAreNotPlainJobsAreSkipped() {
        List<SlurmJobStatus> jobs = SqueueFormat.parse("""
                12_3|RUNNING|0|n1|n1|None|2026-11-29T16:52:02|someone's array|
                
                13|COMPLETED|0|n1|n1|None|2026-11-29T16:52:02|ours|
                """);
        assertThat(jobs).extracting(SlurmJobStatus::jobId).containsExactly(13L);
    }

    @Test
    void theNodeFallsBackToTheNodeListWhenThereIsNoBatchHost() {
        assertThat(one("30|NODE_FAIL|0||gpu17|NodeDown|2026-11-29T16:52:02|n|").node()).isEqualTo("gpu17");
    }

    /**
     * scontrol's second opinion, as 22.05.8 printed it on the test cluster (shortened): the worker's
     * arguments come last, in Command=, and cannot pass for a field.
     */
    @Test
    void scontrolsLineOfAJob() {
        SlurmJobStatus s = ScontrolFormat.parseLine("JobId=1 JobName=isofold-test-r4-a1 UserId=root(0) "
                + "JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=143:0 RunTime=00:00:01 "
                + "StartTime=2026-12-06T16:23:03 EndTime=2026-12-06T16:23:04 NodeList=localhost BatchHost=localhost "
                + "Command=/tmp/slurm-job.sh sh -c JobState=COMPLETED ExitCode=0:0 StdOut=/tmp/stdout.log");
        assertThat(s).isEqualTo(new SlurmJobStatus(1, "isofold-test-r4-a1", SlurmJobState.FAILED, "FAILED", 143,
                null, "localhost", "NonZeroExitCode", LocalDateTime.parse("2026-12-06T16:23:03")
                        .atZone(ZoneId.systemDefault()).toInstant()));
        SlurmJobStatus killed = ScontrolFormat.parseLine("JobId=2 JobName=k JobState=CANCELLED Reason=None "
                + "ExitCode=0:9 StartTime=2026-12-06T16:23:03 BatchHost=localhost");
        assertThat(killed.signal()).isEqualTo(9);
        assertThat(killed.exitCode()).isNull();
        SlurmJobStatus running = ScontrolFormat.parseLine("JobId=3 JobName=r JobState=RUNNING Reason=None "
                + "ExitCode=0:0 StartTime=2026-12-06T16:23:03 BatchHost=localhost");
        assertThat(running.state()).isEqualTo(SlurmJobState.RUNNING);
        assertThat(running.exitCode()).isNull();
        assertThat(ScontrolFormat.parseLine("slurm_load_jobs error: Invalid job id specified")).isNull();
        // chosen for preemption: PreemptTime is set, also when the job then ended by itself within its GraceTime
        assertThat(ScontrolFormat.parseLine("JobId=4 JobName=p JobState=FAILED Reason=NonZeroExitCode ExitCode=143:0 "
                + "StartTime=2026-12-06T16:23:03 PreemptEligibleTime=2026-12-06T16:23:03 PreemptTime=2026-12-06T16:30:00 "
                + "BatchHost=localhost").preempted()).isTrue();
        assertThat(killed.preempted()).isFalse();
    }

    private static SlurmJobStatus one(String line) {
        return SqueueFormat.parseLine(line).orElseThrow();
    }
}
