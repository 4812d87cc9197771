package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.JournalEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The spans a supervisor held a run, from its journal: each run-start opens one, its run-end closes it. A
 * supervisor that died without a run-end held the run until its last event (the next run-start's previous
 * line, or the journal's last). Fed event by event, alongside the journal's RunHistory, in the same pass.
 */
public final class SupervisorSessions implements Consumer<JournalEvent> {
    private final List<RunView.Session> closed = new ArrayList<>();
    private Instant openStart;
    private Instant lastEvent;

    @Override
    public void accept(JournalEvent e) {
        Instant at = parse(e.time());
        if (e instanceof JournalEvent.RunStart) {
            if (openStart != null) {
                closed.add(new RunView.Session(openStart, later(openStart, lastEvent)));
            }
            openStart = at;
        } else if (e instanceof JournalEvent.RunEnd && openStart != null) {
            closed.add(new RunView.Session(openStart, later(openStart, at)));
            openStart = null;
        }
        if (at != null && (lastEvent == null || at.isAfter(lastEvent))) {
            lastEvent = at;
        }
    }

    /**
     * The sessions so far. The last one, if no run-end closed it, is open (end null) when its supervisor
     * still holds the run, else it ends at the journal's last event.
     */
    public List<RunView.Session> sessions(boolean lastStillHeld) {
        List<RunView.Session> all = new ArrayList<>(closed);
        if (openStart != null) {
            all.add(new RunView.Session(openStart, lastStillHeld ? null : later(openStart, lastEvent)));
        }
        return all;
    }

    private static Instant later(Instant a, Instant b) {
        return b == null || b.isBefore(a) ? a : b;
    }

    private static Instant parse(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
