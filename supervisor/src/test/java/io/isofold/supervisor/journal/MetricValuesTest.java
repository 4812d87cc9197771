package io.isofold.supervisor.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.shared.Json;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MetricValuesTest {

    @Test
    void readsAsTheMapItWasMadeOfInItsOrder() {
        Map<String, Double> given = new LinkedHashMap<>();
        for (int i = 20; i > 0; i--) {
            given.put("m" + i, i / 10.0);
        }
        Map<String, Double> compact = MetricValues.of(given);
        assertThat(compact).isEqualTo(given).hasSameHashCodeAs(given);
        assertThat(compact.keySet()).containsExactlyElementsOf(given.keySet());
        assertThat(compact.get("m7")).isEqualTo(0.7);
        assertThat(compact.get("m21")).isNull();
        assertThat(compact.containsKey("m1")).isTrue();
        assertThat(compact.keySet().contains("m0")).isFalse();
        assertThatThrownBy(() -> compact.put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(MetricValues.of(compact)).isSameAs(compact);
    }

    @Test
    void keepsANullValueAsNullAndReadsNoMetricsAsEmpty() {
        Map<String, Double> withNull = new HashMap<>();
        withNull.put("loss", null);
        withNull.put("accuracy", 0.5);
        Map<String, Double> compact = MetricValues.of(withNull);
        assertThat(compact).containsEntry("loss", null).containsEntry("accuracy", 0.5).hasSize(2);
        assertThat(MetricValues.of(null)).isEmpty();
        assertThat(MetricValues.of(Map.of())).isEmpty();
    }

    @Test
    void writesToTheJournalAsAPlainObject() throws Exception {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("b", 2.0);
        m.put("a", 1.5);
        Outcome o = new Outcome(null, Verdict.COMPLETED, null, 0, m, 1.0, null);
        assertThat(Json.MAPPER.writeValueAsString(o.metrics())).isEqualTo("{\"b\":2.0,\"a\":1.5}");
    }

    @Test
    void attemptsWithTheSameNamesShareOneArrayOfThem() throws Exception {
        List<Map<String, Double>> attempts = List.of(Map.of("x", 1.0), Map.of("x", 2.0));
        var first = MetricValues.of(attempts.get(0));
        var second = MetricValues.of(attempts.get(1));
        var names = MetricValues.class.getDeclaredField("names");
        names.setAccessible(true);
        assertThat(names.get(first)).isSameAs(names.get(second));
    }
}
