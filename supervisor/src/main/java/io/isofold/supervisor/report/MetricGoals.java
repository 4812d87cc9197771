package io.isofold.supervisor.report;

import io.isofold.supervisor.spec.MetricDirection;
import io.isofold.supervisor.spec.MetricGoal;import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run's {@code --metric} choices as the reports use them: the direction of every metric (the user's when
 * given, else the one the worker declared in its results, else a guess, marked as such) and the order metrics
 * are shown in. The first goal is the run's
 * primary metric: first in the tables, the one the distribution chart draws, the one the comparison line is
 * about.
 */
public final class MetricGoals {
    public static final MetricGoals NONE = new MetricGoals(List.of(), Map.of());

    private final List<MetricGoal> goals;
    private final Map<String, MetricGoal> byName = new LinkedHashMap<>();
    /** What the workers' results declared, metric to {@code min}/{@code max}: the first declaration of each. */
    private final Map<String, String> declared;

    private MetricGoals(List<MetricGoal> goals, Map<String, String> declared) {
        this.goals = List.copyOf(goals);
        this.declared = declared;
        for (MetricGoal g : this.goals) {
            byName.putIfAbsent(g.name(), g);
        }
    }

    public static MetricGoals of(List<MetricGoal> goals) {
        return goals == null || goals.isEmpty() ? NONE : new MetricGoals(goals, Map.of());
    }

    /**
     * The same goals, with the directions the workers declared ({@code {"val_loss": "min"}}): they stand where
     * the user gave none, and are not guesses. Values other than min and max are ignored.
     */
    public MetricGoals withDeclared(Map<String, String> directions) {
        if (directions == null || directions.isEmpty()) {
            return declared.isEmpty() ? this : new MetricGoals(goals, Map.of());
        }
        return new MetricGoals(goals, Map.copyOf(directions));
    }

    /** What the workers declared: metric to {@code min} or {@code max}. */
    public Map<String, String> declared() {
        return declared;
    }

    /** As run.json records them: {@code ["rmse:min", "mae"]}; entries that do not parse are skipped. */
    public static MetricGoals parse(Iterable<String> texts) {
        List<MetricGoal> goals = new ArrayList<>();
        for (String t : texts) {
            try {
                goals.add(MetricGoal.parse(t));
            } catch (IllegalArgumentException notAGoal) {
                // a hand-edited run.json: the reports go on with guesses
            }
        }
        return of(goals);
    }

    public List<MetricGoal> goals() {
        return goals;
    }

    public boolean isEmpty() {
        return goals.isEmpty();
    }

    /**
     * The user's direction for a named metric that has one; else the one the worker declared; else the guess
     * from its name. A {@code --metric} the user gave wins over the worker's word.
     */
    public MetricDirection direction(String metric) {
        MetricGoal g = byName.get(metric);
        if (g != null && g.lowerIsBetter() != null) {
            return new MetricDirection(metric, g.lowerIsBetter(), MetricDirection.Basis.GIVEN);
        }
        MetricDirection d = MetricDirection.declared(metric, declared.get(metric));
        return d != null ? d : MetricDirection.guess(metric);
    }

    /** Whether {@code --metric} named this metric (with or without a direction). */
    public boolean named(String metric) {
        return byName.containsKey(metric);
    }

    /** The --metric ones first, in the order given; then val_accuracy and val_loss; then the rest alphabetically. */
    public List<String> displayOrder(Collection<String> metrics) {
        // a set: a result may have thousands of metrics, and a list's contains made this quadratic
        Set<String> ordered = new LinkedHashSet<>();
        for (MetricGoal g : goals) {
            if (metrics.contains(g.name())) {
                ordered.add(g.name());
            }
        }
        ordered.addAll(MetricDirection.displayOrder(metrics));
        return new ArrayList<>(ordered);
    }

    /** Goals no completed replicate reported (a typo, or a worker that writes another name). */
    public List<String> missing(Collection<String> reported) {
        return byName.keySet().stream().filter(n -> !reported.contains(n)).toList();
    }

    /** {@code ["rmse:min", "mae"]}, as given. */
    public List<String> texts() {
        return goals.stream().map(MetricGoal::toString).toList();
    }

    @Override
    public String toString() {
        return texts().toString();
    }
}
