package io.isofold.supervisor.progress;

import java.time.Duration;
import java.util.List;

/**
 * Where a run stands, for a progress display.
 *
 * @param running one entry per busy slot
 * @param slots   the run's usable slots
 * @param eta     null until an attempt has completed and a rate is known
 * @param eliminated variants the race (--race) eliminated; 0 without a race
 */
public record ProgressSnapshot(int completed, int required, List<Running> running, int slots, int failedAttempts,
        Duration elapsed, Duration eta, int eliminated) {

    /**
     * An attempt running on a slot.
     *
     * @param slot      e.g. {@code gpu0/0}
     * @param model     its variant
     * @param continued where it continued from, as the live line says it ({@code e4}, {@code e4.120}), or
     *                  {@link #CONTINUING} while its worker has not said yet; null for a fresh start
     */
    public record Running(String slot, int replicate, String model, int fold, String continued) {
        /** An attempt given a checkpoint to continue from, before its worker said from where. */
        public static final String CONTINUING = "continuing";

        public Running(String slot, int replicate, String model, int fold) {
            this(slot, replicate, model, fold, null);
        }
    }

    public ProgressSnapshot {
        running = running == null ? List.of() : List.copyOf(running);
    }

    /** A run that does not race. */
    public ProgressSnapshot(int completed, int required, List<Running> running, int slots, int failedAttempts,
            Duration elapsed, Duration eta) {
        this(completed, required, running, slots, failedAttempts, elapsed, eta, 0);
    }
}
