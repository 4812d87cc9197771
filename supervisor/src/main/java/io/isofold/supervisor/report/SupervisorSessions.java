package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.JournalEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The spans a supervisor held a run, from its journal: each run-start opens one, its run-end closes it. A
 * supervisor that died without a run-end held the run until the last line it wrote. The attempts it left
 * running are settled by the next supervisor, whose end lines come just before its own run-start and carry
 * the times the attempts ended, unwatched: those do not extend the dead supervisor's session. Fed event by
 * event, alongside the journal's RunHistory, in the same pass.
 */
public final class SupervisorSessions implements Consumer<JournalEvent> {
    private final List<RunView.Session> closed = new ArrayList<>();
    private Instant openStart;
    /** The latest line the open session's supervisor surely wrote. */
    private Instant held;
    /** The latest end line since then: the supervisor's own, unless a run-start follows it directly. */
    private Instant pendingEnd;

    @Override
    public void accept(JournalEvent e) {
        Instant at = parse(e.time());
        if (e instanceof JournalEvent.RunStart) {
            if (openStart != null) {
                closed.add(new RunView.Session(openStart, later(openStart, held)));
            }
            openStart = at;
            held = at;
            pendingEnd = null;
        } else if (e instanceof JournalEvent.RunEnd) {
            if (openStart != null) {
                closed.add(new RunView.Session(openStart, later(openStart, at)));
            }
            openStart = null;
            held = null;
            pendingEnd = null;
        } else if (e instanceof JournalEvent.End) {
            pendingEnd = latest(pendingEnd, at);
        } else {
            held = latest(latest(held, pendingEnd), at);
            pendingEnd = null;
        }
    }

    /**
     * The sessions so far. The last one, if no run-end closed it, is open (end null) when its supervisor
     * still holds the run, else it ends at the last line it wrote.
     */
    public List<RunView.Session> sessions(boolean lastStillHeld) {
        List<RunView.Session> all = new ArrayList<>(closed);
        if (openStart != null) {
            all.add(new RunView.Session(openStart, lastStillHeld ? null : later(openStart, latest(held, pendingEnd))));
        }
        return all;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || !b.isAfter(a) ? a : b;
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
