package io.isofold.supervisor.progress;

import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.ExitStatus;
import java.nio.file.Path;

/** What the run loop tells a person watching: one record per kind, so each display chooses by type, never by wording. */
public sealed interface RunEvent {

    /** The run begins (or resumes) in {@code dir}. */
    record Began(Path dir, boolean resumed, int required, int completed, int slots, int spent, int budget)
            implements RunEvent {}

    /** An attempt was started; {@code where} is its pid or job id. */
    record Launched(AttemptId id, String slot, String where) implements RunEvent {}

    /** The supervisor ordered an attempt killed. */
    record Killing(AttemptId id, String slot, Verdict verdict, String reason) implements RunEvent {}

    /** An attempt is over. */
    record Finished(AttemptId id, String slot, Outcome outcome, Path attemptDir) implements RunEvent {}

    /**
     * A replicate was given up: it used up its attempts, or they failed the same way.
     *
     * @param why why it was given up before --max-attempts (its failures repeated), or null
     */
    record GaveUp(AttemptId last, int failures, String why) implements RunEvent {}

    /** A GPU was taken out of the run. */
    record Quarantined(String gpu, String reason) implements RunEvent {}

    /**
     * The race eliminated a variant, as its journal line says: {@code ended} of its attempts were running and
     * are being ended; {@code racing} variants are left in the race.
     */
    record Eliminated(JournalEvent.Eliminated line, int ended, int racing) implements RunEvent {}

    /** The run is stopping: {@code cause} in words, {@code running} attempts to end first. */
    record Stopping(String cause, int running) implements RunEvent {}

    /** Another stop request while stopping. */
    record StillStopping(String signal, int running) implements RunEvent {}

    /** The run is over for this supervisor. */
    record Ended(ExitStatus status, String reason) implements RunEvent {}
}
