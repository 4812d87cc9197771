package io.isofold.supervisor.race;

import io.isofold.supervisor.spec.RunSpec;
import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.report.MetricGoals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class RaceStateTest {
    private static final List<String> VARIANTS = List.of("best", "close", "bad", "worse", "worst");
    private static final double[] MEANS = {0.90, 0.895, 0.80, 0.75, 0.70};
    private static final int FOLDS = 10;

    @TempDir
    Path dir;

    /** The test worker's metric: a known mean per variant, plus a fold effect all share, plus seeded noise. */
    static double[][] results(long seed) {
        Random random = new Random(seed);
        double[][] r = new double[VARIANTS.size()][FOLDS];
        for (int f = 0; f < FOLDS; f++) {
            double fold = 0.02 * random.nextGaussian();
            for (int v = 0; v < VARIANTS.size(); v++) {
                r[v][f] = MEANS[v] + fold + 0.005 * random.nextGaussian();
            }
        }
        return r;
    }

    record Replicate(int variant, int index) {}

    /** Feeds the replicates in this order, deciding after each, as the run loop does; returns every elimination. */
    static List<Elimination> run(RaceState race, double[][] r, List<Replicate> order) {
        List<Elimination> out = new ArrayList<>();
        for (Replicate rep : order) {
            String v = VARIANTS.get(rep.variant());
            if (race.isOut(v)) {
                continue; // never started again
            }
            race.completed(v, rep.index(), Map.of("val_accuracy", r[rep.variant()][rep.index()], "val_loss", 0.3));
            out.addAll(race.decide());
        }
        return out;
    }

    static List<Replicate> foldMajor() {
        List<Replicate> order = new ArrayList<>();
        for (int f = 0; f < FOLDS; f++) {
            for (int v = 0; v < VARIANTS.size(); v++) {
                order.add(new Replicate(v, f));
            }
        }
        return order;
    }

    @Test
    void theClearlyBestIsNeverEliminatedAndTheClearlyWorseGoRightAfterTheBurnIn() {
        for (long seed = 1; seed <= 200; seed++) {
            RaceState race = RaceState.start(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE);
            List<Elimination> out = run(race, results(seed), foldMajor());
            assertThat(race.metric()).as("no --metric: val_accuracy, as the reports' primary").isEqualTo("val_accuracy");
            assertThat(race.isOut("best")).as("seed %d", seed).isFalse();
            assertThat(out).as("seed %d", seed).filteredOn(e -> List.of("bad", "worse", "worst").contains(e.variant()))
                    .extracting(Elimination::afterFolds).containsExactly(3, 3, 3);
            // the current best is the best sample mean: "close", 0.005 behind, may lead after three folds
            assertThat(out).extracting(Elimination::best).isSubsetOf("best", "close");
        }
    }

    @Test
    void theOrderReplicatesFinishInDoesNotChangeTheDecisions() {
        for (long seed = 1; seed <= 50; seed++) {
            double[][] r = results(seed);
            List<Elimination> inOrder = run(RaceState.start(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE), r,
                    foldMajor());
            // the same replicates finishing in a scrambled order, within a few folds of fold-major
            List<Replicate> scrambled = new ArrayList<>(foldMajor());
            Random random = new Random(seed);
            for (int i = 0; i < scrambled.size(); i++) {
                int j = Math.min(scrambled.size() - 1, i + random.nextInt(12));
                Collections.swap(scrambled, i, j);
            }
            List<Elimination> other = run(RaceState.start(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE), r,
                    scrambled);
            assertThat(other).as("seed %d", seed).isEqualTo(inOrder);
        }
    }

    @Test
    void tiesAndConstantMetricsFinishWithoutEliminatingAnyone() {
        RaceState race = RaceState.start(RunSpec.Race.DEFAULT, List.of("a", "b", "c"), MetricGoals.NONE);
        for (int f = 0; f < FOLDS; f++) {
            for (String v : List.of("a", "b", "c")) {
                race.completed(v, f, Map.of("val_accuracy", 0.5, "constant", 1.0));
                assertThat(race.decide()).isEmpty();
            }
        }
        assertThat(race.racing()).containsExactly("a", "b", "c");
    }

    @Test
    void aGivenUpReplicateLetsTheRaceGoOn() {
        RaceState race = RaceState.start(RunSpec.Race.DEFAULT, List.of("a", "b"), MetricGoals.NONE);
        List<Elimination> out = new ArrayList<>();
        for (int f = 0; f < 5; f++) {
            race.completed("a", f, Map.of("val_accuracy", 0.90 + 0.01 * (f % 2)));
            if (f == 1) {
                race.gaveUp("b", f);
            } else {
                race.completed("b", f, Map.of("val_accuracy", 0.70 + 0.02 * (f % 3)));
            }
            out.addAll(race.decide());
        }
        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.variant()).isEqualTo("b");
            assertThat(e.afterFolds()).as("three pairs first at fold 4").isEqualTo(4);
            assertThat(e.folds()).isEqualTo(3);
        });
        assertThat(race.over()).as("one left: it runs every remaining replicate").isTrue();
        race.completed("a", 5, Map.of("val_accuracy", 0.1));
        assertThat(race.decide()).isEmpty();
    }

    @Test
    void theMetricIsChosenWhenTheFirstStepIsDecidedNotByTheFirstResult() {
        // the first replicate to finish reports val_loss only; by the burn-in all report val_accuracy too
        RaceState race = RaceState.start(RunSpec.Race.DEFAULT, List.of("a", "b"), MetricGoals.NONE);
        race.completed("a", 0, Map.of("val_loss", 0.5));
        assertThat(race.decide()).isEmpty();
        assertThat(race.metric()).as("nothing decided yet").isNull();
        race.completed("b", 0, Map.of("val_loss", 0.4, "val_accuracy", 0.70));
        List<Elimination> out = new ArrayList<>();
        for (int f = 1; f < 4; f++) {
            race.completed("a", f, Map.of("val_loss", 0.5, "val_accuracy", 0.90 + 0.01 * f));
            race.completed("b", f, Map.of("val_loss", 0.4, "val_accuracy", 0.70 + 0.02 * f));
            out.addAll(race.decide());
        }
        assertThat(race.metric()).isEqualTo("val_accuracy");
        assertThat(out).extracting(Elimination::variant).containsExactly("b");
    }

    @Test
    void theMetricIsTheFirstGoalWithItsDirection() {
        RaceState race = RaceState.start(RunSpec.Race.DEFAULT, List.of("a", "b"),
                MetricGoals.parse(List.of("rmse:min")));
        List<Elimination> out = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            race.completed("a", f, Map.of("rmse", 0.30 + 0.01 * f, "val_accuracy", 0.1));
            race.completed("b", f, Map.of("rmse", 0.50 + 0.02 * f, "val_accuracy", 0.9));
            out.addAll(race.decide());
        }
        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.variant()).isEqualTo("b");
            assertThat(e.metric()).isEqualTo("rmse");
            assertThat(e.better()).isEqualTo("lower");
        });
    }

    @Test
    void aResumeKeepsTheRecordedDecisionsAndMakesTheSameOnes() throws Exception {
        double[][] r = results(7);
        List<Replicate> order = foldMajor();
        List<Elimination> whole = run(RaceState.start(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE), r, order);

        // the first supervisor gets through fold 4, journaling each elimination, then dies
        RaceState first = RaceState.start(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE);
        List<Replicate> before = order.subList(0, 4 * VARIANTS.size());
        Path journal = dir.resolve("journal.jsonl");
        try (Journal j = Journal.open(journal)) {
            for (Elimination e : run(first, r, before)) {
                j.append(e.event("2025-03-01T20:00:00Z", 0.05));
            }
        }
        RunHistory history = RunHistory.read(journal).history();
        assertThat(history.eliminated()).hasSize(first.eliminated().size());

        // the resume: the journal's decisions, the results the journal holds, and the rest of the replicates
        RaceState resumed = RaceState.resume(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE, history.eliminated());
        assertThat(resumed.eliminated()).isEqualTo(first.eliminated());
        for (Replicate rep : before) {
            String v = VARIANTS.get(rep.variant());
            if (!resumed.isOut(v) || rep.index() < 3) {
                resumed.completed(v, rep.index(), Map.of("val_accuracy", r[rep.variant()][rep.index()]));
            }
        }
        assertThat(resumed.decide()).as("nothing decided again").isEmpty();
        List<Elimination> after = run(resumed, r, order.subList(before.size(), order.size()));
        List<Elimination> all = new ArrayList<>(resumed.eliminated());
        assertThat(all).isEqualTo(whole);
        assertThat(first.eliminated().size() + after.size()).isEqualTo(whole.size());
    }

    @Test
    void aRecordedEliminationIsNeverRecomputed() {
        // a journal that eliminated the variant this data would call best: it stays out
        JournalEvent.Eliminated recorded = new JournalEvent.Eliminated("2025-03-01T20:00:00Z", "best", 3, 3,
                "val_accuracy", "higher", 5.0, 0.001, 0.05, "close", 0.01);
        RaceState race = RaceState.resume(RunSpec.Race.DEFAULT, VARIANTS, MetricGoals.NONE, List.of(recorded));
        assertThat(race.isOut("best")).isTrue();
        assertThat(race.racing()).doesNotContain("best");
        assertThat(race.metric()).isEqualTo("val_accuracy");
        List<Elimination> out = run(race, results(3), foldMajor());
        assertThat(out).extracting(Elimination::variant).doesNotContain("best");
        assertThat(race.eliminated().get(0)).isEqualTo(Elimination.of(recorded));
    }

    @Test
    void theJournalLineSpellsOutTheDecision() throws Exception {
        Elimination e = new Elimination("mlp-a", 3, 3, "val_accuracy", "higher", null, 0.0, "mlp-b", 0.1);
        String line = io.isofold.shared.Json.MAPPER.writeValueAsString(e.event("2025-03-01T20:00:00Z", 0.05));
        assertThat(line).isEqualTo("{\"type\":\"eliminated\",\"time\":\"2025-03-01T20:00:00Z\",\"model\":\"mlp-a\","
                + "\"after_folds\":3,\"folds\":3,\"metric\":\"val_accuracy\",\"better\":\"higher\",\"p\":0.0,"
                + "\"alpha\":0.05,\"best\":\"mlp-b\",\"difference\":0.1}");
        assertThat(e.reason()).isEqualTo("eliminated by the race after 3 folds: val_accuracy worse than mlp-b's (p=0.0)");
    }

    @Test
    void theEliminatedVerdictIsNoFailureAndCostsNothing() {
        assertThat(Verdict.of("eliminated")).isEqualTo(Verdict.ELIMINATED);
        assertThat(Verdict.ELIMINATED.phrase()).isEqualTo("was eliminated by the race");
        assertThat(Verdict.ELIMINATED.failure()).isFalse();
        assertThat(Verdict.ELIMINATED.countsAgainstReplicate()).isFalse();
        assertThat(Verdict.ELIMINATED.spendsBudget()).isFalse();
    }
}
