package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SupervisorSessionsTest {
    static final Instant T0 = Instant.parse("2025-03-01T20:00:00Z");

    static String t(long seconds) {
        return T0.plusSeconds(seconds).toString();
    }

    static JournalEvent start(long s) {
        return new JournalEvent.RunStart(t(s), 1, "host", "boot", 1L, null);
    }

    static JournalEvent launch(long s, int replicate) {
        return new JournalEvent.Launch(t(s), replicate, "cnn", replicate, replicate, 0, 1, "cpu/0", "cpu", 1L, 1L, 1L,
                "boot", null, null, null, null, null);
    }

    static JournalEvent end(long s, int replicate) {
        return new JournalEvent.End(t(s), replicate, "cnn", replicate, replicate, 0, 1, 0, Verdict.COMPLETED, null,
                null, null, null, null);
    }

    /**
     * A run that ran an hour, was stopped, resumed 10 hours later for 30 minutes, died, and was resumed again the
     * next day: supervisor time is 1h + 30m + the live session, not the 40 hours from first start.
     */
    @Test
    void countsTheTimeSupervisorsHeldTheRunOnly() {
        SupervisorSessions sessions = new SupervisorSessions();
        List.of(start(0), launch(10, 0), end(3500, 0), new JournalEvent.RunEnd(t(3600), 130, "interrupted"),
                start(39600), launch(39610, 1), launch(41400, 2),
                // the dead supervisor's attempt, settled by the next one: its end time is not the dead one's
                end(60000, 2), end(61000, 1),
                start(144000)).forEach(sessions);

        List<RunView.Session> dead = sessions.sessions(false);
        assertThat(dead).extracting(RunView.Session::start).containsExactly(T0, T0.plusSeconds(39600),
                T0.plusSeconds(144000));
        assertThat(dead.get(0).end()).isEqualTo(T0.plusSeconds(3600));
        assertThat(dead.get(1).end()).as("its last own line, not the settled ends").isEqualTo(T0.plusSeconds(41400));
        assertThat(dead.get(2).end()).isEqualTo(T0.plusSeconds(144000));
        assertThat(sessions.sessions(true).get(2).end()).as("still held").isNull();

        RunView view = new RunView(null, 5, 5, List.of("cnn"), List.of("cpu/0"), T0, null, List.of(), null,
                MetricGoals.NONE, sessions.sessions(true));
        assertThat(view.supervisedSeconds(T0.plusSeconds(144000 + 600))).isEqualTo(3600 + 1800 + 600);
    }

    @Test
    void aSupervisorThatDiedAfterAnEndOfItsOwnHeldTheRunUntilThen() {
        SupervisorSessions sessions = new SupervisorSessions();
        List.of(start(0), launch(10, 0), end(500, 0)).forEach(sessions);
        assertThat(sessions.sessions(false).get(0).end()).isEqualTo(T0.plusSeconds(500));
    }

    @Test
    void withoutSessionsTheWallTimeCounts() {
        RunView view = new RunView(null, 5, 5, List.of("cnn"), List.of(), T0, T0.plusSeconds(90), List.of(), null);
        assertThat(view.supervisedSeconds(T0.plusSeconds(1000))).isEqualTo(90);
    }
}
