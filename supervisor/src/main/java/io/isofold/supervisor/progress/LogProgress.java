package io.isofold.supervisor.progress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** For output that is not a terminal: a plain log line per event, with the counts in it. */
public final class LogProgress implements ProgressDisplay {
    private static final Logger log = LoggerFactory.getLogger("isofold");
    private static final long PERIODIC_MILLIS = 60_000;

    private ProgressSnapshot last;
    private long lastPeriodic = System.currentTimeMillis();

    @Override
    public void update(ProgressSnapshot snapshot) {
        last = snapshot;
        long now = System.currentTimeMillis();
        // a long quiet stretch (hour-long epochs) still shows a sign of life once a minute
        if (now - lastPeriodic >= PERIODIC_MILLIS) {
            lastPeriodic = now;
            log.info("[{}] still running", LiveProgressLine.render(snapshot));
        }
    }

    @Override
    public void event(String message) {
        lastPeriodic = System.currentTimeMillis();
        if (last == null) {
            log.info(message);
        } else {
            log.info("[{}/{}] {}", last.completed(), last.required(), message);
        }
    }

    @Override
    public void close() {}
}
