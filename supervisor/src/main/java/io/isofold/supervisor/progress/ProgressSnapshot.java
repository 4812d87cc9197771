package io.isofold.supervisor.progress;

import java.time.Duration;
import java.util.List;

/**
 * Where a run stands, for a progress display.
 *
 * @param running one entry per busy slot, e.g. {@code gpu0/0:r12}
 * @param slots   the run's usable slots
 * @param eta     null until an attempt has completed and a rate is known
 * @param eliminated variants the race (--race) eliminated; 0 without a race
 */
public record ProgressSnapshot(int completed, int required, List<String> running, int slots, int failedAttempts,
        Duration elapsed, Duration eta, int eliminated) {

    /** A run that does not race. */
    public ProgressSnapshot(int completed, int required, List<String> running, int slots, int failedAttempts,
            Duration elapsed, Duration eta) {
        this(completed, required, running, slots, failedAttempts, elapsed, eta, 0);
    }
}
