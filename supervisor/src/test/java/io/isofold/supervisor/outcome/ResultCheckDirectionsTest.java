package io.isofold.supervisor.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A result's {@code directions}: read with its metrics, bounded like them, never a reason to fail it. */
@Tag("unit")
class ResultCheckDirectionsTest {
    @TempDir
    Path dir;

    private ResultCheck check(String json) throws Exception {
        return ResultCheck.of(Files.writeString(dir.resolve("result.json"), json));
    }

    @Test
    void readsMinAndMaxOfTheMetricsItReports() throws Exception {
        ResultCheck c = check("{\"directions\":{\"val_loss\":\"min\",\"val_accuracy\":\"MAX\",\"other\":\"min\","
                + "\"odd\":\"lower\",\"nested\":{\"a\":1}},\"metrics\":{\"val_loss\":0.3,\"val_accuracy\":0.9,"
                + "\"odd\":1}}");
        assertThat(c.valid()).isTrue();
        assertThat(c.directions()).containsExactly(Map.entry("val_loss", "min"), Map.entry("val_accuracy", "max"));
    }

    @Test
    void noDirectionsIsNone() throws Exception {
        assertThat(check("{\"metrics\":{\"val_loss\":0.3}}").directions()).isEmpty();
        assertThat(check("{\"metrics\":{\"val_loss\":0.3},\"directions\":[\"min\"]}").directions()).isEmpty();
        assertThat(check("{\"metrics\":{\"val_loss\":0.3},\"directions\":\"min\"}").valid()).isTrue();
    }

    @Test
    void aFailedResultDeclaresNothing() throws Exception {
        ResultCheck c = check("{\"directions\":{\"val_loss\":\"min\"},\"metrics\":{\"val_loss\":\"NaN\"}}");
        assertThat(c.valid()).isFalse();
        assertThat(c.directions()).isEmpty();
    }

    @Test
    void moreDirectionsThanAResultMayHaveMetricsAreReadNoFurther() throws Exception {
        StringBuilder json = new StringBuilder("{\"directions\":{");
        for (int i = 0; i < ResultCheck.MAX_METRICS + 50; i++) {
            json.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":\"min\"");
        }
        json.append(",\"").append("x".repeat(ResultCheck.MAX_NAME_CHARS + 1)).append("\":\"min\"");
        json.append("},\"metrics\":{\"m0\":1,\"m").append(ResultCheck.MAX_METRICS + 10).append("\":2}}");
        ResultCheck c = check(json.toString());
        assertThat(c.valid()).isTrue();
        assertThat(c.directions()).containsExactly(Map.entry("m0", "min"));
    }
}
