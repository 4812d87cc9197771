package io.isofold.supervisor.schedule;

import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.spec.ExitStatus;
import java.time.Instant;
import java.util.Map;

/** What reaches the run loop from other threads: everything but the loop's own ticks. */
sealed interface LoopEvent {

    /** The backend named the attempt for good after its launch (a cluster job's id, once sbatch answered). */
    record Identified(RunningAttempt attempt, LaunchIdentity identity) implements LoopEvent {}

    /** The worker began to run (a cluster job left the queue), at {@code at} by the backend's clock. */
    record Began(RunningAttempt attempt, Instant at) implements LoopEvent {}

    /** The worker ended (or the backend lost track of it): its handle's exit is done. */
    record Exited(RunningAttempt attempt) implements LoopEvent {}

    /** Nothing of the attempt runs any more. */
    record Over(RunningAttempt attempt, int signalled, Throwable problem) implements LoopEvent {}

    /** A signal (or a caller) asks the run to stop. */
    record StopRequested(String signal, ExitStatus status) implements LoopEvent {}

    /** A reading of the GPUs' health: the sick ones, with why. */
    record HealthRead(Map<String, String> sick) implements LoopEvent {}
}
