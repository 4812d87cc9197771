package io.isofold.supervisor.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LongestFirstTest {
    /** A pending replicate: its id and model. */
    record Rep(int id, String model) {}

    private static final Function<Rep, String> MODEL = Rep::model;

    private static List<Integer> ids(List<Rep> reps) {
        return reps.stream().map(Rep::id).toList();
    }

    private static LongestFirst knowing(Map<String, List<Double>> durations) {
        LongestFirst lf = new LongestFirst();
        durations.forEach((m, ds) -> ds.forEach(d -> lf.completed(m, d)));
        return lf;
    }

    @Test
    void nothingKnownKeepsThePlansOrder() {
        List<Rep> pending = List.of(new Rep(0, "a"), new Rep(1, "b"), new Rep(2, "a"), new Rep(3, "b"));
        LongestFirst lf = new LongestFirst();
        assertThat(ids(lf.order(pending, MODEL))).containsExactly(0, 1, 2, 3);
        assertThat(lf.next(pending, MODEL)).contains(pending.get(0));
    }

    @Test
    void longestExpectedFirstStableWithinAModel() {
        List<Rep> pending = List.of(new Rep(0, "short"), new Rep(1, "long"), new Rep(2, "mid"), new Rep(3, "short"),
                new Rep(4, "long"), new Rep(5, "mid"));
        LongestFirst lf = knowing(Map.of("short", List.of(1.0, 1.2), "mid", List.of(5.0), "long", List.of(30.0, 28.0, 90.0)));
        assertThat(ids(lf.order(pending, MODEL))).containsExactly(1, 4, 2, 5, 0, 3);
        assertThat(lf.next(pending, MODEL)).contains(pending.get(1));
    }

    @Test
    void aModelNotYetSeenComesFirst() {
        List<Rep> pending = List.of(new Rep(0, "known"), new Rep(1, "new"), new Rep(2, "known"), new Rep(3, "new"));
        LongestFirst lf = knowing(Map.of("known", List.of(1000.0)));
        assertThat(ids(lf.order(pending, MODEL))).containsExactly(1, 3, 0, 2);
        assertThat(lf.next(pending, MODEL)).contains(pending.get(1));
    }

    @Test
    void nothingPendingNothingNext() {
        assertThat(new LongestFirst().next(List.<Rep>of(), MODEL)).isEmpty();
    }

    @Test
    void theInputIsLeftAlone() {
        List<Rep> pending = new ArrayList<>(List.of(new Rep(0, "a"), new Rep(1, "b")));
        knowing(Map.of("a", List.of(1.0), "b", List.of(2.0))).order(pending, MODEL);
        assertThat(ids(pending)).containsExactly(0, 1);
    }

    @Test
    void expectationIsTheMedianOfTheLatestUsableDurations() {
        assertThat(knowing(Map.of("m", List.of(3.0, 1.0, 100.0))).expectedSeconds("m")).isEqualTo(3.0);
        assertThat(knowing(Map.of("m", List.of(4.0, 1.0, 2.0, 3.0))).expectedSeconds("m")).isEqualTo(2.5);
        assertThat(knowing(Map.of("m", List.of(Double.NaN, -1.0, 7.0, Double.POSITIVE_INFINITY))).expectedSeconds("m"))
                .isEqualTo(7.0);
        assertThat(knowing(Map.of("m", List.of(Double.NaN))).expectedSeconds("m")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(new LongestFirst().expectedSeconds("never")).isEqualTo(Double.POSITIVE_INFINITY);
        // a model that got slower: the old durations leave the window
        LongestFirst lf = new LongestFirst();
        for (int i = 0; i < 100; i++) {
            lf.completed("m", 1.0);
        }
        for (int i = 0; i < LongestFirst.RECENT / 2 + 1; i++) {
            lf.completed("m", 10.0);
        }
        assertThat(lf.expectedSeconds("m")).isEqualTo(10.0);
    }

    /**
     * The run as the loop would drive it, simulated: a slot that frees starts {@link LongestFirst#next}
     * of the pending replicates (or the first in the plan), and durations become known as attempts
     * complete. Returns the makespan.
     */
    static double simulate(List<Rep> plan, Map<String, Double> seconds, int slots, boolean longestFirst) {
        List<Rep> pending = new ArrayList<>(plan);
        LongestFirst lf = new LongestFirst();
        record Run(double end, Rep rep) {}
        PriorityQueue<Run> running = new PriorityQueue<>((x, y) -> Double.compare(x.end(), y.end()));
        double now = 0;
        double makespan = 0;
        while (!pending.isEmpty() || !running.isEmpty()) {
            while (running.size() < slots && !pending.isEmpty()) {
                Rep next = longestFirst ? lf.next(pending, MODEL).orElseThrow() : pending.get(0);
                pending.remove(next);
                running.add(new Run(now + seconds.get(next.model()), next));
            }
            Run r = running.poll();
            now = r.end();
            makespan = Math.max(makespan, now);
            lf.completed(r.rep().model(), seconds.get(r.rep().model()));
        }
        return makespan;
    }

    /** The plan's order: replicate r of every model, then r + 1 (ids interleaved as RunState makes them). */
    static List<Rep> plan(int replicatesPerModel, String... models) {
        List<Rep> plan = new ArrayList<>();
        for (int r = 0; r < replicatesPerModel; r++) {
            for (String m : models) {
                plan.add(new Rep(plan.size(), m));
            }
        }
        return plan;
    }

    @Test
    void theLongestModelNoLongerEndsTheRunAlone() {
        // scripts/bench-order.sh's mix: 4 slots, 5 folds of four models of 1, 2, 4 and 8 s, listed shortest first
        Map<String, Double> seconds = Map.of("a", 1.0, "b", 2.0, "c", 4.0, "d", 8.0);
        List<Rep> plan = plan(5, "a", "b", "c", "d");
        double lowerBound = Math.max(5 * (1.0 + 2.0 + 4.0 + 8.0) / 4, 8.0); // 18.75 s
        double fifo = simulate(plan, seconds, 4, false);
        double lpt = simulate(plan, seconds, 4, true);
        assertThat(fifo).isEqualTo(23.0); // the plan's order: 1.23 x the bound
        assertThat(lpt).isEqualTo(19.0); // 1.01 x
        assertThat(lpt / lowerBound).isLessThanOrEqualTo(1.05);
    }
}
