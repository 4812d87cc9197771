package io.isofold.supervisor.race;

import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.report.MetricGoals;
import io.isofold.supervisor.report.Summary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a race stands: which variants are out (the journal's decisions, taken as recorded), the results the
 * others race on, and the steps decided so far. The run loop feeds it every completed or given-up replicate
 * and asks {@link #decide()} for the eliminations to make now; it journals each one before acting on it.
 *
 * <p>Steps are decided in order, each at most once, on the replicates below it only: a run whose replicates
 * finish in another order, or that is resumed, makes the same decisions. A resume takes the recorded
 * eliminations as they are and goes on from the last step that eliminated (decided again, which completes
 * it should a crash have cut its journal lines short, and otherwise eliminates nothing new).
 *
 * <p>Not thread-safe: the run loop's thread owns it.
 */
public final class RaceState {
    private final Race race;
    private final List<String> variants;
    private final MetricGoals goals;
    private final Map<String, Elimination> eliminated = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, Map<String, Double>>> completed = new HashMap<>();
    private final Map<String, Set<Integer>> givenUp = new HashMap<>();
    private final Set<String> reportedMetrics = new LinkedHashSet<>();
    /** The metric raced on: fixed when the first step is decided (or by the journal), never changed mid-race. */
    private String metric;
    /** The first step not decided yet. */
    private int nextStep;

    private RaceState(RunSpec.Race settings, List<String> variants, MetricGoals goals) {
        this.race = new Race(settings);
        this.variants = List.copyOf(variants);
        this.goals = goals == null ? MetricGoals.NONE : goals;
        this.nextStep = settings.burnIn();
    }

    /** A race that has decided nothing yet. */
    public static RaceState start(RunSpec.Race settings, List<String> variants, MetricGoals goals) {
        return resume(settings, variants, goals, List.of());
    }

    /**
     * A race with the journal's eliminations ({@code RunHistory.eliminated()}) taken as they were decided.
     *
     * @param variants the run's variants, in spec order
     */
    public static RaceState resume(RunSpec.Race settings, List<String> variants, MetricGoals goals,
            List<JournalEvent.Eliminated> recorded) {
        RaceState state = new RaceState(settings, variants, goals);
        for (JournalEvent.Eliminated e : recorded) {
            state.eliminated.putIfAbsent(e.model(), Elimination.of(e));
            if (state.metric == null && e.metric() != null) {
                state.metric = e.metric();
            }
            state.nextStep = Math.max(state.nextStep, e.afterFolds());
        }
        return state;
    }

    public RunSpec.Race settings() {
        return race.settings();
    }

    /** A replicate of {@code variant} completed with these metrics ({@code index}: its index within the variant). */
    public void completed(String variant, int index, Map<String, Double> metrics) {
        completed.computeIfAbsent(variant, v -> new TreeMap<>()).putIfAbsent(index, metrics == null ? Map.of() : metrics);
        if (metrics != null) {
            reportedMetrics.addAll(metrics.keySet());
        }
    }

    /** A replicate of {@code variant} was given up: it will have no result, and is compared without it. */
    public void gaveUp(String variant, int index) {
        givenUp.computeIfAbsent(variant, v -> new HashSet<>()).add(index);
    }

    /** Whether the race dropped this variant: none of its replicates is to be started again. */
    public boolean isOut(String variant) {
        return eliminated.containsKey(variant);
    }

    /** The eliminations, in the order they were decided (the journal's first). */
    public List<Elimination> eliminated() {
        return List.copyOf(eliminated.values());
    }

    /** The variants still racing, in spec order. */
    public List<String> racing() {
        return variants.stream().filter(v -> !eliminated.containsKey(v)).toList();
    }

    /** Fewer than two variants racing: no more decisions, the last ones run every remaining replicate. */
    public boolean over() {
        return racing().size() < 2;
    }

    /** The metric raced on, or null before the first step was decided. */
    public String metric() {
        return metric;
    }

    /**
     * The eliminations to make now, in order, each recorded here as made: every step that every variant still
     * racing has settled and that was not decided yet, decided in turn. Empty most of the time.
     */
    public List<Elimination> decide() {
        List<Elimination> made = new ArrayList<>();
        if (over()) {
            return made;
        }
        boolean again = true;
        while (again && !over()) {
            again = false;
            if (metric == null) {
                // chosen when the first step is decided, from what the replicates so far report: the first
                // result alone may lack a metric the others have
                String candidate = Summary.primaryMetric(goals, reportedMetrics);
                if (candidate == null || Race.settledFolds(standings(candidate)) < nextStep) {
                    return made;
                }
                metric = candidate;
            }
            boolean lowerIsBetter = goals.direction(metric).lowerIsBetter();
            List<Race.Standing> standings = standings(metric);
            int settled = Race.settledFolds(standings);
            for (int step = nextStep; step <= settled; step++) {
                List<Elimination> now = race.decide(step, metric, lowerIsBetter, standings);
                nextStep = step + 1;
                if (!now.isEmpty()) {
                    now.forEach(e -> eliminated.put(e.variant(), e));
                    made.addAll(now);
                    // fewer variants: the step all of them have settled may be further on
                    again = true;
                    break;
                }
            }
        }
        return made;
    }

    private List<Race.Standing> standings(String metric) {
        List<Race.Standing> standings = new ArrayList<>();
        for (String v : racing()) {
            Map<Integer, Double> values = new TreeMap<>();
            Set<Integer> settled = new HashSet<>(givenUp.getOrDefault(v, Set.of()));
            completed.getOrDefault(v, new TreeMap<>()).forEach((index, metrics) -> {
                settled.add(index);
                Double value = metrics.get(metric);
                if (value != null && Double.isFinite(value)) {
                    values.put(index, value);
                }
            });
            standings.add(new Race.Standing(v, values, Collections.unmodifiableSet(settled)));
        }
        return standings;
    }
}
