package io.isofold.supervisor.cli;

import io.isofold.supervisor.schedule.RunLoop;
import sun.misc.Signal;

/**
 * Turns SIGINT and SIGTERM into a clean stop of the run loop (exit 130 / 143) instead of the JVM's
 * default of exiting at once, which would leave workers running and the journal without an end.
 */
final class Signals {
    private Signals() {}

    static void forward(RunLoop loop) {
        Signal.handle(new Signal("INT"), s -> loop.requestStop("SIGINT", 130));
        Signal.handle(new Signal("TERM"), s -> loop.requestStop("SIGTERM", 143));
    }
}
