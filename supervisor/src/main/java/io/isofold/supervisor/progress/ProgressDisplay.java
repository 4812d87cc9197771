package io.isofold.supervisor.progress;

/**
 * Shows a run's progress: a live line on a terminal ({@link LiveProgressLine}), log lines elsewhere
 * ({@link LogProgress}). Called from the run loop's thread only.
 */
public interface ProgressDisplay extends AutoCloseable {

    /** The state changed, or time passed. Cheap when nothing needs showing. */
    void update(ProgressSnapshot snapshot);

    /** Something happened that a person watching wants to read (a launch, a verdict, a kill). */
    void event(String message);

    @Override
    void close();

    static ProgressDisplay forConsole() {
        return System.console() != null ? new LiveProgressLine(System.out) : new LogProgress();
    }
}
