package io.isofold.supervisor.progress;

import io.isofold.supervisor.text.TerminalText;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process's stdout and stderr, written by a thread of its own, so that a reader that does not
 * read (a stalled ssh session, Ctrl-S, {@code | less} left open) can never hold up the run loop or
 * a signal's stop. Lines wait in a bounded queue; when it is full, new lines are dropped and
 * counted, and the count is printed once the console drains (supervisor.log keeps everything).
 * The live progress line is not queued: only its latest text is kept, and it is redrawn below each
 * line. After {@link #detach} (SIGHUP: the terminal is gone) nothing more is written. Worker text
 * cannot drive the terminal: whatever is written here goes through {@link TerminalText}.
 *
 * <p>Thread-safe; every method but {@link #close} returns at once.
 */
public final class Console {
    private static final int QUEUE_LINES = 1000;
    private static final String CLEAR_LINE = "\r\033[K";
    private static final Console INSTANCE = new Console(System.out, System.err);

    /** {@code endsStatus}: not a line but the end of the live status line, which stays on screen. */
    private record Line(String text, boolean error, boolean endsStatus) {
        Line(String text, boolean error) {
            this(text, error, false);
        }
    }

    private final PrintStream out;
    private final PrintStream err;
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final AtomicReference<String> status = new AtomicReference<>();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Object drained = new Object();
    private final Thread writer;
    private volatile boolean detached;
    private volatile boolean busy;
    private volatile String shownStatus = ""; // written by the writer thread only

    Console(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.writer = new Thread(this::writeLoop, "isofold-console");
        writer.setDaemon(true);
        writer.start();
    }

    /** The console of this process. */
    public static Console get() {
        return INSTANCE;
    }

    /** A line on stdout (or several); characters a terminal would act on are shown escaped ({@link TerminalText}). */
    public void line(String text) {
        offer(new Line(TerminalText.safe(text), false));
    }

    /** A line on stderr, as {@link #line}. */
    public void error(String text) {
        offer(new Line(TerminalText.safe(text), true));
    }

    /** Replaces the live status line (terminals only; the caller decides). */
    public void status(String line) {
        if (!detached) {
            status.set(TerminalText.oneLine(line));
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Leaves the live status line as it is, moves below it, and draws it no more (until the next {@link #status}). */
    public void endStatus() {
        offer(new Line("", false, true));
    }

    /** The terminal went away: write nothing more, ever. The run goes on, logging to its file. */
    public void detach() {
        detached = true;
        queue.clear();
    }

    public boolean detached() {
        return detached;
    }

    private void offer(Line line) {
        if (detached) {
            return;
        }
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
        synchronized (drained) {
            drained.notifyAll();
        }
    }

    /**
     * Waits up to {@code wait} for what is queued to be written, then ends the live line. A console
     * that does not drain in time is abandoned: the process may exit with its last lines unwritten,
     * which beats hanging on a reader that never reads.
     */
    public void close(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (drained) {
            while ((!queue.isEmpty() || busy || status.get() != null) && !detached) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    drained.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!shownStatus.isEmpty() && !detached) {
            endStatus();
            close(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    private void writeLoop() {
        while (true) {
            Line line;
            try {
                line = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            busy = true;
            try {
                if (!detached) {
                    if (line != null) {
                        write(line);
                    }
                    int lost = dropped.getAndSet(0);
                    if (lost > 0) {
                        write(new Line("[" + lost + " console line(s) dropped while the console was not read; "
                                + "supervisor.log has them]", false));
                    }
                    String s = status.getAndSet(null);
                    if (s != null) {
                        out.print(CLEAR_LINE + s);
                        out.flush();
                        shownStatus = s;
                    }
                }
            } finally {
                busy = false;
            }
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    private void write(Line line) {
        if (line.endsStatus()) {
            String pending = status.getAndSet(null);
            String last = pending != null ? pending : shownStatus;
            if (!last.isEmpty()) {
                out.print(CLEAR_LINE + last + "\n");
                out.flush();
            }
            shownStatus = "";
            return;
        }
        if (!shownStatus.isEmpty()) {
            out.print(CLEAR_LINE);
        }
        PrintStream target = line.error() ? err : out;
        target.println(line.text());
        target.flush();
        if (!shownStatus.isEmpty()) {
            // the live line goes back below the new line
            status.compareAndSet(null, shownStatus);
        }
    }
}
