package io.isofold.supervisor.progress;

import java.time.Duration;

/**
 * How long a run has left, from the mean duration of the attempts completed while this supervisor
 * watched: the attempts left, in rounds of as many as there are slots. Unknown until one completed.
 */
public final class Eta {
    private double seconds;
    private int completed;

    public void completed(double durationSeconds) {
        seconds += durationSeconds;
        completed++;
    }

    /** Null while no attempt has completed. */
    public Duration left(int attemptsLeft, int slots) {
        if (completed == 0) {
            return null;
        }
        double mean = seconds / completed;
        return Duration.ofMillis((long) (mean * 1000 * Math.ceil(attemptsLeft / (double) Math.max(1, slots))));
    }
}
