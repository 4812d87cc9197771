package io.isofold.supervisor.progress;

import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line redrawn in place on a terminal, fitted to its width; events go to supervisor.log, and
 * those a person must see (failures, kills, give-ups, quarantines, a stop) also above the line.
 */
public final class LiveProgressLine implements ProgressDisplay {
    private static final Logger log = LoggerFactory.getLogger("isofold");
    private static final long REDRAW_NANOS = 500_000_000L;

    private final Console console;
    private final int width;
    private long lastDraw;
    private String lastLine = "";

    public LiveProgressLine(Console console, int width) {
        this.console = console;
        this.width = width;
    }

    @Override
    public void update(ProgressSnapshot s) {
        long now = System.nanoTime();
        String line = render(s, width);
        if (line.equals(lastLine) && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        lastLine = line;
        console.status(line);
    }

    /**
     * Counts, failures, elapsed time and ETA always fit; the running slots take what is left of the
     * width: each with its variant and fold ({@code gpu0/0: lr-0.01 f2}, and {@code from e4} when it
     * continued from a checkpoint), long variant names shortened in the middle, and summarised when
     * they still do not fit (a line that wraps fills the screen with copies).
     */
    public static String render(ProgressSnapshot s, int width) {
        String head = s.completed() + "/" + s.required() + " done";
        String tail = (s.eliminated() > 0 ? " | " + s.eliminated() + " eliminated" : "") + " | " + s.failedAttempts()
                + " failed | " + Durations.human(s.elapsed()) + " | ETA "
                + (s.eta() == null ? "?" : Durations.human(s.eta()));
        int room = width - 1 - head.length() - tail.length();
        String running = "";
        if (s.running().isEmpty()) {
            running = " | running -";
        } else {
            for (int nameWidth : NAME_WIDTHS) {
                running = " | running " + String.join(", ", s.running().stream().map(r -> entry(r, nameWidth)).toList());
                if (running.length() <= room) {
                    break;
                }
            }
            if (running.length() > room) {
                running = " | running " + String.join(" ", s.running().stream()
                        .map(r -> r.slot() + ":r" + r.replicate()).toList());
            }
        }
        if (running.length() > room) {
            running = " | " + s.running().size() + "/" + s.slots() + " running";
            if (running.length() > room) {
                running = "";
            }
        }
        String line = head + running + tail;
        return line.length() < width ? line : line.substring(0, Math.max(0, width - 1));
    }

    /** The longest a variant's name may take in the line: tried in turn until the line fits. */
    private static final int[] NAME_WIDTHS = {32, 20, 12};

    /** {@code gpu0/0: lr-0.01 f2}, {@code gpu0/0: lr-0.01 f2 from e4}, {@code gpu0/0: lr-0.01 f2 continuing}. */
    static String entry(ProgressSnapshot.Running r, int nameWidth) {
        String text = r.slot() + ": " + shorten(r.model(), nameWidth) + " f" + r.fold();
        if (r.continued() == null) {
            return text;
        }
        return text + (ProgressSnapshot.Running.CONTINUING.equals(r.continued()) ? " " : " from ") + r.continued();
    }

    /** At most {@code max} characters: a long name keeps its start and its end, which is where variants differ. */
    static String shorten(String name, int max) {
        if (name == null || name.length() <= max) {
            return name;
        }
        int keep = max - 1;
        return name.substring(0, (keep + 1) / 2) + "\u2026" + name.substring(name.length() - keep / 2);
    }

    @Override
    public void event(RunEvent e) {
        String text = RunEventText.of(e);
        log.info(text);
        if (shownOnTerminal(e)) {
            console.line(text);
        }
    }

    /** What a person at the terminal must see; a stop's per-attempt kills are summed up by its Stopping line. */
    private static boolean shownOnTerminal(RunEvent e) {
        if (e instanceof RunEvent.Finished f) {
            // the race's ends are summed up by its Eliminated line
            return !f.outcome().completed() && f.outcome().verdict() != Verdict.INTERRUPTED
                    && f.outcome().verdict() != Verdict.ELIMINATED;
        }
        if (e instanceof RunEvent.Killing k) {
            return k.verdict() != Verdict.INTERRUPTED && k.verdict() != Verdict.ELIMINATED;
        }
        return !(e instanceof RunEvent.Launched);
    }

    /** The last status stays on screen, ended by a newline; what follows is plain lines. */
    @Override
    public void close() {
        console.endStatus();
    }
}
