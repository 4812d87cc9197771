package io.isofold.supervisor.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A whole run as reports see it.
 *
 * @param models      spec order; comparisons follow it
 * @param slots       all slots of the run, in order (rows of the timeline)
 * @param ended       null while running
 * @param quarantined GPUs taken out of the run, with the reason
 * @param goals       the run's --metric choices (directions, the primary metric)
 * @param sessions    the spans a supervisor held the run, in order; the last one's end is null while it holds
 *                    it; empty when unknown
 * @param race        the race's settings and eliminations when the run races its variants (--race); else null
 * @param params      each variant's settings ({@link VariantParams}), by name; empty when unknown
 * @param declared    which way the workers' results said their metrics are better, metric to {@code min} or
 *                    {@code max}: the first declaration of each
 */
public record RunView(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots,
        Instant started, Instant ended, List<AttemptView> attempts, Map<String, String> quarantined,
        MetricGoals goals, List<Session> sessions, RaceView race, Map<String, Map<String, String>> params,
        Map<String, String> declared) {

    /** A span of time one supervisor held the run; {@code end} null while it still does. */
    public record Session(Instant start, Instant end) {}

    public RunView {
        models = models == null ? List.of() : List.copyOf(models);
        slots = slots == null ? List.of() : List.copyOf(slots);
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        quarantined = quarantined == null ? Map.of() : Map.copyOf(quarantined);
        goals = goals == null ? MetricGoals.NONE : goals;
        sessions = sessions == null ? List.of() : List.copyOf(sessions);
        params = params == null ? Map.of() : params;
        declared = declared == null ? Map.of() : declared;
    }

    /** A run whose variants' settings and declared directions are unknown. */
    public RunView(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots,
            Instant started, Instant ended, List<AttemptView> attempts, Map<String, String> quarantined,
            MetricGoals goals, List<Session> sessions, RaceView race) {
        this(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined, goals, sessions,
                race, Map.of(), Map.of());
    }

    /** A run that does not race. */
    public RunView(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots,
            Instant started, Instant ended, List<AttemptView> attempts, Map<String, String> quarantined,
            MetricGoals goals, List<Session> sessions) {
        this(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined, goals, sessions,
                null);
    }

    /** A run with no --metric and unknown supervisor sessions. */
    public RunView(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots,
            Instant started, Instant ended, List<AttemptView> attempts, Map<String, String> quarantined) {
        this(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined, MetricGoals.NONE,
                List.of());
    }

    public boolean running() {
        return ended == null;
    }

    public RunView withAttempts(List<AttemptView> shown) {
        return new RunView(outDir, folds, requestedPerModel, models, slots, started, ended, shown, quarantined, goals,
                sessions, race, params, declared);
    }

    public RunView withGoals(MetricGoals g) {
        return new RunView(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined, g,
                sessions, race, params, declared);
    }

    public RunView withSessions(List<Session> s) {
        return new RunView(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined,
                goals, s, race, params, declared);
    }

    public RunView withRace(RaceView r) {
        return new RunView(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined,
                goals, sessions, r, params, declared);
    }

    public RunView withParams(Map<String, Map<String, String>> p) {
        return new RunView(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined,
                goals, sessions, race, p, declared);
    }

    public RunView withDeclared(Map<String, String> d) {
        return new RunView(outDir, folds, requestedPerModel, models, slots, started, ended, attempts, quarantined,
                goals, sessions, race, params, d);
    }

    /** The --metric choices with the directions the workers declared: what decides every metric's direction. */
    public MetricGoals directions() {
        return goals.withDeclared(declared);
    }

    /**
     * Seconds a supervisor held the run up to {@code now}: the sum of its sessions, so the nights nobody ran it
     * do not count. Without known sessions, the wall time from start to end (or now).
     */
    public double supervisedSeconds(Instant now) {
        if (sessions.isEmpty()) {
            Instant end = ended != null ? ended : now;
            return started == null ? 0 : Math.max(0, end.toEpochMilli() - started.toEpochMilli()) / 1000.0;
        }
        long millis = 0;
        for (Session s : sessions) {
            Instant end = s.end() != null ? s.end() : ended != null ? ended : now;
            millis += Math.max(0, end.toEpochMilli() - s.start().toEpochMilli());
        }
        return millis / 1000.0;
    }
}
