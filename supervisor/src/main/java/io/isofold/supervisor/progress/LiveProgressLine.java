package io.isofold.supervisor.progress;

import io.isofold.supervisor.spec.Durations;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line redrawn in place on a terminal; events go to the log file only, failures also above the line. */
public final class LiveProgressLine implements ProgressDisplay {
    private static final Logger log = LoggerFactory.getLogger(LiveProgressLine.class);
    private static final long REDRAW_MILLIS = 500;

    private final PrintStream out;
    private long lastDraw;
    private String lastLine = "";

    public LiveProgressLine(PrintStream out) {
        this.out = out;
    }

    @Override
    public void update(ProgressSnapshot s) {
        long now = System.currentTimeMillis();
        String line = render(s);
        if (line.equals(lastLine) && now - lastDraw < REDRAW_MILLIS) {
            return;
        }
        lastDraw = now;
        lastLine = line;
        out.print("\r\033[K" + line);
        out.flush();
    }

    static String render(ProgressSnapshot s) {
        StringBuilder b = new StringBuilder();
        b.append(s.completed()).append('/').append(s.required()).append(" done");
        b.append(" | running ").append(s.running().isEmpty() ? "-" : String.join(" ", s.running()));
        b.append(" | ").append(s.failedAttempts()).append(" failed");
        b.append(" | ").append(Durations.human(s.elapsed()));
        b.append(" | ETA ").append(s.eta() == null ? "?" : Durations.human(s.eta()));
        return b.toString();
    }

    @Override
    public void event(String message) {
        log.info(message);
        if (message.contains("failed") || message.contains("killed") || message.contains("gave up")) {
            out.print("\r\033[K" + message + "\n" + lastLine);
            out.flush();
        }
    }

    @Override
    public void close() {
        if (!lastLine.isEmpty()) {
            out.println();
        }
    }
}
