package io.isofold.supervisor.slurm;

import java.time.Duration;

/**
 * The waits between tries of a Slurm command that gave no answer: 1 s, doubling up to 30 s. A controller
 * that is down or overloaded is asked less and less often, never given up on: the job it knows about may
 * be running, and isofold must not forget it.
 */
final class Backoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MOST = Duration.ofSeconds(30);

    private Duration next = FIRST;
    private int failures;

    /** The wait before the next try; each call doubles the one after. */
    Duration next() {
        Duration wait = next;
        failures++;
        next = next.multipliedBy(2).compareTo(MOST) > 0 ? MOST : next.multipliedBy(2);
        return wait;
    }

    /** How many tries have failed so far. */
    int failures() {
        return failures;
    }
}
