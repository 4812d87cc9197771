package io.isofold.supervisor.progress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** For output that is not a terminal: a plain log line per event, with the counts in it. */
public final class LogProgress implements ProgressDisplay {
    private static final Logger log = LoggerFactory.getLogger("isofold");
    private static final long PERIODIC_NANOS = 60_000_000_000L;

    private ProgressSnapshot last;
    /**
     * Attempts that completed since {@link #last} was taken: the run loop tells an attempt's end before it counts
     * it, so the snapshot alone would put "[0/5]" before the first "completed".
     */
    private int completedSince;
    private long lastPeriodic = System.nanoTime();

    @Override
    public void update(ProgressSnapshot snapshot) {
        last = snapshot;
        completedSince = 0;
        long now = System.nanoTime();
        // a long quiet stretch (hour-long epochs) still shows a sign of life once a minute
        if (now - lastPeriodic >= PERIODIC_NANOS) {
            lastPeriodic = now;
            log.info("[{}] still running", LiveProgressLine.render(snapshot, 10_000));
        }
    }

    @Override
    public void event(RunEvent e) {
        lastPeriodic = System.nanoTime();
        if (e instanceof RunEvent.Finished f && f.outcome().completed()) {
            completedSince++;
        }
        String text = RunEventText.of(e);
        if (last == null) {
            log.info(text);
        } else {
            log.info("[{}/{}] {}", Math.min(last.required(), last.completed() + completedSince), last.required(),
                    text);
        }
    }

    @Override
    public void close() {}
}
