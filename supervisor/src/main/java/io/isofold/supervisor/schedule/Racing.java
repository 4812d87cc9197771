package io.isofold.supervisor.schedule;

import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.race.Elimination;
import io.isofold.supervisor.race.RaceState;
import io.isofold.supervisor.report.MetricGoals;
import io.isofold.supervisor.spec.RunSpec;
import java.util.List;

/**
 * The race ({@code --race}) as the run loop plays it: the {@link RaceState} fed every replicate that completed
 * or was given up, from the journal on a resume and as the run goes, and asked for the eliminations each one
 * makes due. The loop journals each elimination before it acts on it (ending the variant's running attempts,
 * starting none of its replicates again). Null where the run does not race.
 *
 * <p>The run loop's thread only.
 */
final class Racing {
    private final RaceState race;
    private final double alpha;

    private Racing(RaceState race, double alpha) {
        this.race = race;
        this.alpha = alpha;
    }

    /** The run's race, with what the history holds: its eliminations taken as recorded, its results fed in. */
    static Racing of(RunSpec spec, RunHistory history, RunState state) {
        RunSpec.Race settings = spec.options().race();
        if (settings == null) {
            return null;
        }
        RaceState race = RaceState.resume(settings, spec.models().stream().map(ModelConfig::name).toList(),
                MetricGoals.of(spec.options().metrics()), history.eliminated());
        for (AttemptRecord a : history.attempts()) {
            if (a.completed()) {
                race.completed(a.id().model(), a.id().index(), a.outcome().metrics());
            }
        }
        for (AttemptRecord a : history.attempts()) {
            if (!a.completed() && state.replicate(a.id().replicate()).done(spec.maxAttempts())
                    && !state.replicate(a.id().replicate()).completed) {
                race.gaveUp(a.id().model(), a.id().index());
            }
        }
        return new Racing(race, settings.alpha());
    }

    /** The eliminations due now (at the start of a resumed run: those a crash cut short). */
    List<Elimination> decide() {
        return race.decide();
    }

    /** An attempt ended; the eliminations that are due now. */
    List<Elimination> ended(AttemptId id, Outcome outcome, boolean gaveUp) {
        if (outcome.completed()) {
            race.completed(id.model(), id.index(), outcome.metrics());
        } else if (gaveUp) {
            race.gaveUp(id.model(), id.index());
        } else {
            return List.of();
        }
        return race.decide();
    }

    double alpha() {
        return alpha;
    }

    int eliminated() {
        return race.eliminated().size();
    }

    int racing() {
        return race.racing().size();
    }
}
