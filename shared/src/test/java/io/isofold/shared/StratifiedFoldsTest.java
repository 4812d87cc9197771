package io.isofold.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

@Tag("unit")
class StratifiedFoldsTest {

    @ParameterizedTest
    @CsvSource({"1000,10,5,1", "997,3,7,2", "50,4,2,3", "12,3,12,4"})
    void foldsAreDisjointCoverEverythingAndKeepClassProportions(int n, int classes, int k, long seed) {
        int[] labels = new Random(seed).ints(n, 0, classes).toArray();
        int[] fold = StratifiedFolds.assign(labels, k, seed);

        assertThat(fold).hasSize(n); // one fold per example: disjoint and covering by construction of the array
        int[] size = new int[k];
        int[][] perClass = new int[k][classes];
        int[] classTotal = new int[classes];
        for (int i = 0; i < n; i++) {
            assertThat(fold[i]).isBetween(0, k - 1);
            size[fold[i]]++;
            perClass[fold[i]][labels[i]]++;
            classTotal[labels[i]]++;
        }
        int total = 0;
        for (int f = 0; f < k; f++) {
            total += size[f];
            assertThat(Math.abs(size[f] - (double) n / k)).isLessThanOrEqualTo(1.0);
            for (int c = 0; c < classes; c++) {
                // the class's share of this fold is within one example of its share of the whole set
                assertThat(Math.abs(perClass[f][c] - classTotal[c] * (double) size[f] / n))
                        .as("fold %d class %d", f, c).isLessThanOrEqualTo(1.0 + 1e-9);
            }
        }
        assertThat(total).isEqualTo(n);
    }

    @Test
    void sameSeedSameFoldsOtherSeedOtherFolds() {
        int[] labels = new Random(1).ints(500, 0, 10).toArray();
        assertThat(StratifiedFolds.assign(labels, 5, 7)).isEqualTo(StratifiedFolds.assign(labels, 5, 7));
        assertThat(StratifiedFolds.assign(labels, 5, 7)).isNotEqualTo(StratifiedFolds.assign(labels, 5, 8));
    }

    @Test
    void refusesTooFewExamples() {
        assertThatThrownBy(() -> StratifiedFolds.assign(new int[] {0, 1}, 3, 1))
                .hasMessageContaining("cannot fill");
    }

    @Test
    void replicatePlanIsRepeatedKFold() {
        ReplicatePlan r7 = ReplicatePlan.of(7, 5, 42);
        assertThat(r7.fold()).isEqualTo(2);
        assertThat(r7.shuffle()).isEqualTo(1);
        assertThat(r7.splitSeed()).isEqualTo(ReplicatePlan.of(5, 5, 42).splitSeed());
        assertThat(r7.splitSeed()).isNotEqualTo(ReplicatePlan.of(4, 5, 42).splitSeed());
        assertThat(r7.seed()).isNotEqualTo(ReplicatePlan.of(6, 5, 42).seed());
    }
}
