package io.isofold.supervisor.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MetricDirectionListsTest {

    @Test
    void theKnownListsDoNotOverlap() {
        Set<String> both = new HashSet<>(MetricDirection.LOWER);
        both.retainAll(MetricDirection.HIGHER);
        assertThat(both).isEmpty();
    }
}
