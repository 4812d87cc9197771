package io.isofold.supervisor.race;

import io.isofold.supervisor.spec.RunSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RaceTest {
    private static final Race RACE = new Race(RunSpec.Race.DEFAULT);

    /** A variant that completed every replicate below {@code values.length}; NaN marks one given up. */
    static Race.Standing standing(String name, double... values) {
        Map<Integer, Double> v = new TreeMap<>();
        List<Integer> settled = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            settled.add(i);
            if (!Double.isNaN(values[i])) {
                v.put(i, values[i]);
            }
        }
        return new Race.Standing(name, v, Set.copyOf(settled));
    }

    @Test
    void theOneSidedPairedTTestOfTheDifferences() {
        // worse by 1, 2, 3: mean 2, sd 1, t = 2 / (1 / sqrt 3) = 3.4641, df 2; two-sided p 0.07418, one-sided half
        Race.Test t = Race.test(standing("b", 9, 8, 7), standing("a", 10, 10, 10), 3, false);
        assertThat(t.n()).isEqualTo(3);
        assertThat(t.meanWorse()).isEqualTo(2.0);
        assertThat(t.statistic()).isCloseTo(3.464102, within(1e-6));
        assertThat(t.p()).isCloseTo(0.037090, within(1e-6));
        // the same from the other side: better, so p is the upper tail
        Race.Test better = Race.test(standing("a", 10, 10, 10), standing("b", 9, 8, 7), 3, false);
        assertThat(better.statistic()).isCloseTo(-3.464102, within(1e-6));
        assertThat(better.p()).isCloseTo(1 - 0.037090, within(1e-6));
        // lower is better: the same numbers mean the opposite
        assertThat(Race.test(standing("b", 9, 8, 7), standing("a", 10, 10, 10), 3, true).p())
                .isCloseTo(1 - 0.037090, within(1e-6));
    }

    @Test
    void clearlyWorseVariantsGoRightAtTheBurnInAndTheBestStays() {
        List<Race.Standing> racing = List.of(
                standing("best", 0.90, 0.92, 0.91),
                standing("bad", 0.80, 0.83, 0.81),
                standing("worse", 0.70, 0.71, 0.72));
        assertThat(RACE.decide(2, "acc", false, racing)).as("before the burn-in: nothing").isEmpty();

        List<Elimination> out = RACE.decide(3, "acc", false, racing);
        assertThat(out).extracting(Elimination::variant).containsExactly("bad", "worse");
        Elimination bad = out.get(0);
        assertThat(bad.afterFolds()).isEqualTo(3);
        assertThat(bad.folds()).isEqualTo(3);
        assertThat(bad.best()).isEqualTo("best");
        assertThat(bad.metric()).isEqualTo("acc");
        assertThat(bad.better()).isEqualTo("higher");
        assertThat(bad.difference()).isCloseTo(0.09666667, within(1e-7));
        assertThat(bad.p()).isLessThan(0.05);
        assertThat(bad.statistic()).isPositive();
    }

    @Test
    void lowerIsBetterPicksTheLowestMeanAsBest() {
        List<Race.Standing> racing = List.of(standing("a", 0.30, 0.31, 0.32), standing("b", 0.50, 0.52, 0.51));
        List<Elimination> out = RACE.decide(3, "rmse", true, racing);
        assertThat(out).extracting(Elimination::variant).containsExactly("b");
        assertThat(out.get(0).best()).isEqualTo("a");
        assertThat(out.get(0).better()).isEqualTo("lower");
    }

    @Test
    void identicalValuesAreNeverEliminated() {
        List<Race.Standing> racing = List.of(standing("a", 0.9, 0.8, 0.85, 0.7), standing("b", 0.9, 0.8, 0.85, 0.7),
                standing("c", 0.9, 0.8, 0.85, 0.7));
        assertThat(RACE.decide(4, "acc", false, racing)).isEmpty();
        assertThat(Race.best(racing, 4, false).variant()).as("a tie goes to the first name").isEqualTo("a");
        Race.Test t = Race.test(racing.get(1), racing.get(0), 4, false);
        assertThat(t.statistic()).as("no spread: no statistic, not NaN").isNull();
        assertThat(t.p()).isEqualTo(1.0);
    }

    @Test
    void aConstantMetricFinishesWithoutAnError() {
        List<Race.Standing> racing = List.of(standing("a", 0.5, 0.5, 0.5), standing("b", 0.5, 0.5, 0.5));
        assertThat(RACE.decide(3, "acc", false, racing)).isEmpty();
    }

    @Test
    void aConstantNonZeroDifferenceIsCertain() {
        // worse by exactly 0.1 on every fold: no spread to weigh it against, taken as it is (p = 0)
        List<Race.Standing> racing = List.of(standing("a", 0.9, 0.8, 0.7), standing("b", 0.8, 0.7, 0.6));
        List<Elimination> out = RACE.decide(3, "acc", false, racing);
        assertThat(out).extracting(Elimination::variant).containsExactly("b");
        assertThat(out.get(0).statistic()).isNull();
        assertThat(out.get(0).p()).isEqualTo(0.0);
        assertThat(out.get(0).difference()).isCloseTo(0.1, within(1e-12));
        // and exactly constant metrics, 0.5 against 0.4 everywhere
        assertThat(RACE.decide(3, "acc", false, List.of(standing("a", 0.5, 0.5, 0.5), standing("b", 0.4, 0.4, 0.4))))
                .extracting(Elimination::p).containsExactly(0.0);
    }

    @Test
    void aFailedReplicateIsLeftOutOfThePairsAndDelaysTheVariantsTest() {
        // b gave up replicate 1: two pairs at step 3 are fewer than the burn-in; three at step 4
        Race.Standing a = standing("a", 0.90, 0.92, 0.91, 0.93);
        Race.Standing b = standing("b", 0.70, Double.NaN, 0.71, 0.72);
        assertThat(b.settledFolds()).isEqualTo(4);
        assertThat(RACE.decide(3, "acc", false, List.of(a, b))).isEmpty();
        List<Elimination> out = RACE.decide(4, "acc", false, List.of(a, b));
        assertThat(out).extracting(Elimination::variant).containsExactly("b");
        assertThat(out.get(0).folds()).isEqualTo(3);
        assertThat(out.get(0).afterFolds()).isEqualTo(4);
    }

    @Test
    void theBestIsTheBestMeanOnTheReplicatesAllCompleted() {
        // c has the best mean over its own two values, but on fold 0, which all three completed, a leads
        Race.Standing a = standing("a", 0.90, 0.60, 0.60);
        Race.Standing b = standing("b", 0.80, 0.60, 0.60);
        Race.Standing c = standing("c", 0.85, Double.NaN, Double.NaN);
        assertThat(Race.best(List.of(a, b, c), 3, false).variant()).isEqualTo("a");
        // with nothing common to all, each one's own mean
        Race.Standing d = standing("d", Double.NaN, 0.99, Double.NaN);
        assertThat(Race.best(List.of(c, d), 3, false).variant()).isEqualTo("d");
        assertThat(Race.best(List.of(standing("x", Double.NaN, Double.NaN)), 2, false)).isNull();
    }

    @Test
    void fewerThanTwoPairsOrVariantsDecideNothing() {
        assertThat(Race.test(standing("a", 0.9, Double.NaN), standing("b", 0.1, 0.2), 2, false))
                .as("one pair").isNull();
        assertThat(new Race(new RunSpec.Race(2, 0.05)).decide(2, "acc", false,
                List.of(standing("a", 0.9, Double.NaN), standing("b", 0.1, 0.2)))).isEmpty();
        assertThat(RACE.decide(5, "acc", false, List.of(standing("alone", 0.1, 0.2, 0.3, 0.4, 0.5)))).isEmpty();
        assertThat(RACE.decide(5, "acc", false, List.of())).isEmpty();
    }

    @Test
    void settledFoldsCountsTheLeadingReplicatesOnly() {
        Race.Standing gap = new Race.Standing("a", Map.of(0, 0.9, 2, 0.8), Set.of());
        assertThat(gap.settledFolds()).as("replicate 1 is still to come").isEqualTo(1);
        Race.Standing nan = new Race.Standing("b", new TreeMap<>(Map.of(0, Double.NaN, 1, 0.5)), Set.of());
        assertThat(nan.values()).as("a non-finite value is no value").containsOnlyKeys(1);
        assertThat(nan.settledFolds()).isEqualTo(2);
        assertThat(Race.settledFolds(List.of(gap, nan))).isEqualTo(1);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new RunSpec.Race(1, 0.05)).hasMessage("--race-burn-in must be at least 2, got 1");
        assertThatThrownBy(() -> new RunSpec.Race(3, 0)).hasMessageContaining("--race-alpha must be between 0 and 1");
        assertThatThrownBy(() -> new RunSpec.Race(3, 1.5)).hasMessageContaining("got 1.5");
    }
}
