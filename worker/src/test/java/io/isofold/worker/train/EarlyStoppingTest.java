package io.isofold.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class EarlyStoppingTest {
    @Test
    void stopsAfterPatienceEpochsWithoutImprovementAndKeepsTheBest() {
        EarlyStopping s = new EarlyStopping(2);
        assertThat(s.update(1, 1.0)).isTrue();
        assertThat(s.update(2, 0.8)).isTrue();
        assertThat(s.update(3, 0.9)).isFalse();
        assertThat(s.shouldStop()).isFalse();
        assertThat(s.update(4, 0.8)).isFalse(); // equal is no improvement, as in Keras (min_delta 0)
        assertThat(s.shouldStop()).isTrue();
        assertThat(s.bestEpoch()).isEqualTo(2);
        assertThat(s.bestValLoss()).isEqualTo(0.8);
    }

    @Test
    void anImprovementResetsTheCount() {
        EarlyStopping s = new EarlyStopping(2);
        s.update(1, 1.0);
        s.update(2, 1.1);
        s.update(3, 0.5);
        s.update(4, 0.6);
        assertThat(s.shouldStop()).isFalse();
        assertThat(s.bestEpoch()).isEqualTo(3);
    }

    @Test
    void nanNeverImproves() {
        EarlyStopping s = new EarlyStopping(1);
        assertThat(s.update(1, Double.NaN)).isFalse();
        assertThat(s.bestEpoch()).isEqualTo(-1);
        assertThat(s.shouldStop()).isTrue();
    }
}
