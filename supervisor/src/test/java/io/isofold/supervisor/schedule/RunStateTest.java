package io.isofold.supervisor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.ExitStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The run's rules without a process: retries, budget, verdicts, the races of an ending attempt, quarantine. */
@Tag("unit")
class RunStateTest {
    private static RunState state(int replicates, List<Slot> slots, int maxAttempts, int budget) {
        return new RunState(List.of(ModelConfig.defaults("cnn")), replicates, 2, 42, slots, maxAttempts, budget);
    }

    private static List<Slot> cpu(int n) {
        return GpuSlots.slots(List.of(), 1, n);
    }

    private static List<Slot> gpus(int n) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i);
        }
        return GpuSlots.slots(ids, 1, 1);
    }

    private static RunState.Attempt start(RunState s) {
        return s.started(s.next().orElseThrow());
    }

    @Test
    void aReplicateIsRetriedUntilItCompletes() {
        RunState s = state(1, cpu(1), 3, 10);
        s.ended(start(s), Verdict.FAILED);
        RunState.Attempt second = start(s);
        assertThat(second.id.attempt()).isEqualTo(2);
        s.ended(second, Verdict.COMPLETED);
        assertThat(s.finished()).isTrue();
        assertThat(s.exitStatus()).isEqualTo(ExitStatus.COMPLETE);
        assertThat(s.failedAttempts()).isEqualTo(1);
    }

    @Test
    void standbysAreWantedForTheAttemptsLeftToStartWithinTheBudgetAndTheGuessChangesNothing() {
        RunState s = state(4, cpu(2), 3, 4);
        assertThat(s.waiting()).isEqualTo(4);
        RunState.Attempt first = start(s);
        start(s);
        assertThat(s.waiting()).isEqualTo(2);
        RunState.Assignment upcoming = s.upcoming(first.slot).orElseThrow();
        assertThat(upcoming.id().replicate()).isEqualTo(2);
        assertThat(s.waiting()).as("a guess starts nothing").isEqualTo(2);
        s.ended(first, Verdict.FAILED); // a retry is wanted, but the budget of 4 leaves room for one more start beside the two running
        start(s);
        assertThat(s.waiting()).isEqualTo(1);
        s.stop(ExitStatus.INTERRUPTED, "stopped", "interrupted");
        assertThat(s.waiting()).isZero();
        assertThat(s.upcoming(first.slot)).isEmpty();
    }

    @Test
    void aReplicateIsGivenUpAfterMaxAttempts() {
        RunState s = state(1, cpu(1), 2, 10);
        assertThat(s.ended(start(s), Verdict.FAILED).gaveUp()).isFalse();
        assertThat(s.ended(start(s), Verdict.TIMEOUT).gaveUp()).isTrue();
        assertThat(s.next()).isEmpty();
        assertThat(s.finished()).isTrue();
        assertThat(s.exitStatus()).isEqualTo(ExitStatus.INCOMPLETE);
        assertThat(s.shortfall()).contains("given up").contains("--max-attempts");
    }

    @Test
    void theBudgetBoundsTheWholeRunAndSaysSo() {
        RunState s = state(3, cpu(2), 5, 3);
        s.ended(start(s), Verdict.FAILED);
        s.ended(start(s), Verdict.FAILED);
        s.ended(start(s), Verdict.FAILED);
        assertThat(s.next()).isEmpty();
        assertThat(s.finished()).isTrue();
        assertThat(s.shortfall()).contains("budget").contains("--attempt-budget");
    }

    /** Running attempts hold their share of the budget: two slots, budget 1, only one starts. */
    @Test
    void runningAttemptsReserveTheBudget() {
        RunState s = state(2, cpu(2), 5, 1);
        start(s);
        assertThat(s.next()).isEmpty();
    }

    @Test
    void interruptedAndLostAttemptsDoNotUseUpAReplicatesRetries() {
        RunState s = state(1, cpu(1), 1, 10);
        s.ended(start(s), Verdict.INTERRUPTED);
        s.ended(start(s), Verdict.SUPERVISOR_LOST);
        s.ended(start(s), Verdict.NODE_LOST);
        assertThat(s.next()).isPresent();
        assertThat(s.spent()).isEqualTo(2); // the interruption spends no budget; the losses do
        assertThat(s.failedAttempts()).isEqualTo(2);
    }

    /** Item 4: a worker that exited is judged by its exit; a stop or a watchdog arriving after changes nothing. */
    @Test
    void noKillAfterTheExitAndNoSecondKiller() {
        RunState s = state(2, cpu(2), 3, 10);
        RunState.Attempt exitedFirst = start(s);
        RunState.Attempt running = start(s);
        s.exited(exitedFirst);
        assertThat(s.killRequested(exitedFirst, Verdict.TIMEOUT, "late tick")).isFalse();
        List<RunState.Attempt> toKill = s.stop(ExitStatus.INTERRUPTED, "stopped by SIGINT", "interrupted");
        assertThat(toKill).containsExactly(running);
        assertThat(RunState.standing(exitedFirst, Verdict.COMPLETED)).isEqualTo(Verdict.COMPLETED);
        // a second stop starts no second killer
        assertThat(s.stop(ExitStatus.INTERRUPTED, "again", "again")).isEmpty();
        assertThat(s.killRequested(running, Verdict.MEMORY, "too late")).isFalse();
        assertThat(RunState.standing(running, Verdict.COMPLETED)).isEqualTo(Verdict.INTERRUPTED);
        assertThat(s.exitStatus()).isEqualTo(ExitStatus.INTERRUPTED);
    }

    @Test
    void aKillOrderedBeforeTheExitKeepsItsVerdict() {
        RunState s = state(1, cpu(1), 3, 10);
        RunState.Attempt a = start(s);
        assertThat(s.killRequested(a, Verdict.TIMEOUT, "30s")).isTrue();
        s.exited(a);
        assertThat(RunState.standing(a, Verdict.COMPLETED)).isEqualTo(Verdict.TIMEOUT);
    }

    @Test
    void aRetryAvoidsTheGpuItFailedOnWhileAnotherIsFree() {
        RunState s = state(1, gpus(2), 3, 10);
        RunState.Attempt first = start(s);
        String failedOn = first.slot.gpuLabel();
        s.ended(first, Verdict.FAILED);
        assertThat(s.next().orElseThrow().slot().gpuLabel()).isNotEqualTo(failedOn);
    }

    /** Issue 9 item 5: a GPU that fails fast while the others work is out after three attempts, and stays out. */
    @Test
    void aBlackHoleGpuIsQuarantinedAfterThreeFailures() {
        RunState s = state(24, gpus(4), 5, 48);
        List<RunState.Attempt> healthy = new ArrayList<>();
        RunState.Attempt onBlackHole = null;
        for (int i = 0; i < 4; i++) {
            RunState.Attempt a = start(s);
            if (a.slot.gpuLabel().equals("1")) {
                onBlackHole = a;
            } else {
                healthy.add(a);
            }
        }
        s.ended(onBlackHole, Verdict.FAILED);
        int onGpu1 = 1;
        String quarantined = null;
        while (quarantined == null) {
            RunState.Attempt a = start(s);
            assertThat(a.slot.gpuLabel()).isEqualTo("1"); // the only free slot
            onGpu1++;
            quarantined = s.ended(a, Verdict.FAILED).quarantinedGpu();
        }
        assertThat(quarantined).isEqualTo("1");
        assertThat(onGpu1).isEqualTo(RunState.QUARANTINE_AFTER);
        assertThat(s.next()).isEmpty(); // the healthy GPUs are busy, GPU 1 is out
        s.ended(healthy.get(0), Verdict.COMPLETED);
        assertThat(s.next().orElseThrow().slot().gpuLabel()).isNotEqualTo("1");
    }

    @Test
    void aWorkerBrokenEverywhereQuarantinesNothing() {
        RunState s = state(24, gpus(4), 5, 48);
        for (int round = 0; round < 5; round++) {
            List<RunState.Attempt> started = new ArrayList<>();
            for (var next = s.next(); next.isPresent(); next = s.next()) {
                started.add(s.started(next.get()));
            }
            for (RunState.Attempt a : started) {
                assertThat(s.ended(a, Verdict.FAILED).quarantinedGpu()).isNull();
            }
        }
        assertThat(s.quarantinedGpus()).isEmpty();
    }

    @Test
    void everyGpuQuarantinedEndsTheRunWithTheReason() {
        RunState s = state(2, gpus(1), 3, 10);
        s.quarantine("0", "3 uncorrected ECC errors");
        assertThat(s.next()).isEmpty();
        assertThat(s.finished()).isTrue();
        assertThat(s.exitStatus()).isEqualTo(ExitStatus.INCOMPLETE);
        assertThat(s.shortfall()).contains("every GPU is quarantined").contains("ECC");
    }

    /** Issue 12 item 4: with durations known, the model expected to take longest starts first. */
    @Test
    void theLongestExpectedReplicateStartsFirst() {
        RunState s = new RunState(List.of(ModelConfig.custom("short", java.util.Map.of()),
                ModelConfig.custom("long", java.util.Map.of())), 4, 2, 42, cpu(1), 3, 100);
        s.completedIn("short", 1.0);
        s.completedIn("long", 8.0);
        RunState.Attempt first = start(s);
        assertThat(first.replicate.model.name()).isEqualTo("long");
    }
}
