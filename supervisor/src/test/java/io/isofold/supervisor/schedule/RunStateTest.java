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
        RunState.Assignment upcoming = s.upcoming().orElseThrow();
        assertThat(upcoming.id().replicate()).isEqualTo(2);
        assertThat(s.waiting()).as("a guess starts nothing").isEqualTo(2);
        s.ended(first, Verdict.FAILED); // a retry is wanted, but the budget of 4 leaves room for one more start beside the two running
        start(s);
        assertThat(s.waiting()).isEqualTo(1);
        s.stop(ExitStatus.INTERRUPTED, "stopped", "interrupted");
        assertThat(s.waiting()).isZero();
        assertThat(s.upcoming()).isEmpty();
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
        assertThat(exitedFirst.killVerdict).as("its exit decides").isNull();
        // a second stop starts no second killer
        assertThat(s.stop(ExitStatus.INTERRUPTED, "again", "again")).isEmpty();
        assertThat(s.killRequested(running, Verdict.MEMORY, "too late")).isFalse();
        assertThat(running.killVerdict).isEqualTo(Verdict.INTERRUPTED);
        assertThat(s.exitStatus()).isEqualTo(ExitStatus.INTERRUPTED);
    }

    @Test
    void aKillOrderedBeforeTheExitKeepsItsVerdict() {
        RunState s = state(1, cpu(1), 3, 10);
        RunState.Attempt a = start(s);
        assertThat(s.killRequested(a, Verdict.TIMEOUT, "30s")).isTrue();
        s.exited(a);
        assertThat(a.killVerdict).isEqualTo(Verdict.TIMEOUT);
    }

    @Test
    void aRetryAvoidsTheGpuItFailedOnWhileAnotherIsFree() {
        RunState s = state(1, gpus(2), 3, 10);
        RunState.Attempt first = start(s);
        String failedOn = first.slot.gpuLabel();
        s.ended(first, Verdict.FAILED);
        assertThat(s.next().orElseThrow().slot().gpuLabel()).isNotEqualTo(failedOn);
    }

    /**
     * Issue 9 item 5: a GPU that fails fast while the others work is out after three failures of different
     * replicates, and stays out; issue 21 item 1: once another GPU has completed work (a GPU that finished
     * nothing is no evidence that the work can complete).
     */
    @Test
    void aBlackHoleGpuIsQuarantinedAfterThreeFailuresOfDifferentReplicates() {
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
        s.ended(healthy.remove(0), Verdict.COMPLETED);
        healthy.add(start(s)); // the healthy GPU's slot takes the next replicate
        s.ended(onBlackHole, Verdict.FAILED);
        int onGpu1 = 1;
        java.util.Set<Integer> replicatesOnGpu1 = new java.util.HashSet<>(List.of(onBlackHole.replicate.id));
        String quarantined = null;
        while (quarantined == null) {
            RunState.Attempt a = start(s);
            assertThat(a.slot.gpuLabel()).isEqualTo("1"); // the only free slot
            assertThat(replicatesOnGpu1.add(a.replicate.id)).as("a failed replicate is not retried there").isTrue();
            onGpu1++;
            quarantined = s.ended(a, Verdict.FAILED).quarantinedGpu();
        }
        assertThat(quarantined).isEqualTo("1");
        assertThat(onGpu1).isEqualTo(GpuQuarantine.AFTER);
        assertThat(s.next()).isEmpty(); // the healthy GPUs are busy, GPU 1 is out
        s.ended(healthy.get(0), Verdict.COMPLETED);
        assertThat(s.next().orElseThrow().slot().gpuLabel()).isNotEqualTo("1");
    }

    /** Before any other GPU completed anything, a black hole is out after a longer streak of different replicates. */
    @Test
    void withoutCompletionsElsewhereABlackHoleNeedsALongerStreak() {
        RunState s = state(24, gpus(4), 5, 48);
        for (int i = 0; i < 3; i++) {
            assertThat(s.started(s.next().orElseThrow()).slot.gpuLabel()).isNotEqualTo("3");
        }
        int failures = 0;
        String quarantined = null;
        while (quarantined == null && failures < 20) {
            RunState.Attempt a = start(s);
            assertThat(a.slot.gpuLabel()).isEqualTo("3");
            failures++;
            quarantined = s.ended(a, Verdict.FAILED).quarantinedGpu();
        }
        assertThat(quarantined).isEqualTo("3");
        assertThat(failures).isEqualTo(GpuQuarantine.WITHOUT_COMPLETIONS);
    }

    /**
     * Issue 21 item 1: one fold's own crash (a data bug) on a GPU is the replicate's, not the GPU's: its retries
     * wait for another GPU rather than go back to the one it failed on, and nothing is quarantined.
     */
    @Test
    void oneReplicatesOwnCrashesQuarantineNothingAndItsRetriesGoElsewhere() {
        RunState s = state(6, gpus(2), 3, 20);
        RunState.Attempt r0 = start(s); // GPU 0
        RunState.Attempt r1 = start(s); // GPU 1
        assertThat(r0.slot.gpuLabel()).isEqualTo("0");
        assertThat(s.ended(r0, Verdict.FAILED).quarantinedGpu()).isNull();
        RunState.Attempt next = start(s);
        assertThat(next.replicate.id).as("GPU 0 takes other work while replicate 0 waits for GPU 1").isNotEqualTo(0);
        s.ended(r1, Verdict.COMPLETED);
        RunState.Attempt retry = start(s);
        assertThat(retry.replicate.id).isZero();
        assertThat(retry.slot.gpuLabel()).isEqualTo("1");
        assertThat(s.ended(retry, Verdict.FAILED).quarantinedGpu()).isNull();
        // it has failed on both GPUs now: its last try may go to either
        s.ended(next, Verdict.COMPLETED);
        RunState.Attempt third = start(s);
        assertThat(third.replicate.id).isZero();
        RunState.Consequences c = s.ended(third, Verdict.FAILED);
        assertThat(c.gaveUp()).isTrue();
        assertThat(c.quarantinedGpu()).isNull();
        assertThat(s.quarantinedGpus()).isEmpty();
    }

    /** Issue 18 item 2: a failure that repeats is not retried to --max-attempts; the first attempts failing alike stop the run. */
    @Test
    void identicalFailuresGiveAReplicateUpAndStopARunWhoseFirstAttemptsAllFailAlike() {
        RunState s = new RunState(List.of(ModelConfig.defaults("cnn")), 5, 5, 42, cpu(1), 5, 50, 2, false);
        var missing = new io.isofold.supervisor.outcome.FailureSignature("exit 1: ModuleNotFoundError: No module named 'torch'",
                "exit 1: ModuleNotFoundError: No module named 'torch'", "the worker's Python cannot import a package");
        // one slot: replicate 0 twice (given up: alike), replicate 1 twice, then replicate 2's first attempt
        List<RunState.Consequences> ends = new ArrayList<>();
        while (ends.isEmpty() || ends.get(ends.size() - 1).stop() == null) {
            ends.add(s.ended(start(s), Verdict.FAILED, missing));
            assertThat(ends).hasSizeLessThanOrEqualTo(5);
        }
        assertThat(ends.get(1).gaveUp()).isTrue();
        assertThat(ends.get(4).stop()).contains("the first attempts of 3 replicates all failed the same way")
                .contains("No module named 'torch'").contains("cannot import a package");

        RunState other = new RunState(List.of(ModelConfig.defaults("cnn")), 2, 2, 42, cpu(1), 5, 50, 2, false);
        RunState.Attempt a = start(other);
        other.ended(a, Verdict.COMPLETED);
        RunState.Attempt b1 = start(other);
        var crash = new io.isofold.supervisor.outcome.FailureSignature("exit # at step #", "exit 1 at step 7", null);
        assertThat(other.ended(b1, Verdict.FAILED, crash).gaveUp()).isFalse();
        RunState.Consequences again = other.ended(start(other), Verdict.FAILED, crash);
        assertThat(again.gaveUp()).as("two alike of --max-attempts 5").isTrue();
        assertThat(again.gaveUpWhy()).contains("2 attempts failed the same way (exit 1 at step 7)");
        assertThat(again.stop()).as("another replicate completed: the worker works").isNull();
        assertThat(other.shortfall()).contains("--retry-identical");
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
