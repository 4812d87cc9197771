package io.isofold.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ReplicatePlanTest {

    /** numpy's np.random.seed refuses anything outside 0..2^32-1, Java's int outside 2^31-1: the README example failed. */
    @Test
    void everySeedFitsA31BitInteger() {
        for (long base : new long[] {42, -1, Long.MIN_VALUE, Long.MAX_VALUE, 7}) {
            for (int i = 0; i < 2000; i++) {
                ReplicatePlan plan = ReplicatePlan.of(i, 5, base);
                assertThat(plan.seed()).isBetween(0L, (long) Integer.MAX_VALUE);
                // scikit-learn refuses a random_state outside 0..2^32-1; a signed 64-bit split seed failed there
                assertThat(plan.splitSeed()).isBetween(0L, (long) Integer.MAX_VALUE);
            }
        }
    }

    @Test
    void seedsDifferBetweenReplicates() {
        assertThat(ReplicatePlan.of(0, 5, 42).seed()).isNotEqualTo(ReplicatePlan.of(1, 5, 42).seed());
    }
}
