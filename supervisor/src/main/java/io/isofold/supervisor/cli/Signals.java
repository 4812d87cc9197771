package io.isofold.supervisor.cli;

import io.isofold.supervisor.progress.Console;
import io.isofold.supervisor.schedule.RunLoop;
import io.isofold.supervisor.spec.ExitStatus;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM become a clean stop of the run loop (exit 130 / 143) instead of the JVM's
 * default of exiting at once, which would leave workers running and the journal without an end.
 * SIGHUP (the terminal or ssh session of an overnight run went away) changes nothing but the
 * console: the run goes on to its end, writing to supervisor.log only.
 */
final class Signals {
    private Signals() {}

    static void forward(RunLoop loop) {
        Signal.handle(new Signal("INT"), s -> loop.requestStop("SIGINT", ExitStatus.INTERRUPTED));
        Signal.handle(new Signal("TERM"), s -> loop.requestStop("SIGTERM", ExitStatus.TERMINATED));
        Signal.handle(new Signal("HUP"), s -> {
            LoggerFactory.getLogger(Signals.class).warn("received SIGHUP (terminal gone): the run goes on; "
                    + "from now on it writes to supervisor.log only");
            Console.get().detach();
        });
    }
}
