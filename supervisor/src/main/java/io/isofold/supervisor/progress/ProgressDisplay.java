package io.isofold.supervisor.progress;

/**
 * Shows a run's progress: a live line on a terminal ({@link LiveProgressLine}), log lines elsewhere
 * ({@link LogProgress}). Called from the run loop's thread only; never blocks it (output goes
 * through {@link Console} or the log).
 */
public interface ProgressDisplay extends AutoCloseable {

    /** The state changed, or time passed. Cheap when nothing needs showing. */
    void update(ProgressSnapshot snapshot);

    /** Something happened. Every event goes to supervisor.log; a display shows what its reader needs. */
    void event(RunEvent event);

    @Override
    void close();

    static ProgressDisplay forConsole() {
        return System.console() != null ? new LiveProgressLine(Console.get(), TerminalWidth.columns())
                : new LogProgress();
    }
}
