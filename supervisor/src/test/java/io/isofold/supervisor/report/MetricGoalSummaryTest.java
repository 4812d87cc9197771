package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.spec.MetricGoal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two variants reporting rmse: "wide" is worse (higher rmse). Whichever way the direction is found, the
 * reports must name "narrow" the winner, and say whether the direction was given or guessed.
 */
@Tag("unit")
class MetricGoalSummaryTest {
    @TempDir
    Path dir;

    private RunFixture rmseRun(List<MetricGoal> goals) {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("wide", "narrow"), List.of("cpu/0"));
        double[] wide = {0.52, 0.55, 0.50, 0.53, 0.51};
        double[] narrow = {0.41, 0.42, 0.40, 0.44, 0.40};
        for (int i = 0; i < 5; i++) {
            run.add("wide", i, 1, "cpu/0", i, i + 1, "completed", null,
                    Map.of("rmse", wide[i], "r2", 1 - wide[i], "zeta", 1.0 + i));
            run.add("narrow", i, 1, "cpu/0", i, i + 1, "completed", null,
                    Map.of("rmse", narrow[i], "r2", 1 - narrow[i], "zeta", 2.0 + i * 1.1));
        }
        run.ended = RunFixture.at(10);
        run.goals = MetricGoals.of(goals);
        return run;
    }

    @Test
    void aGivenDirectionNamesTheRightWinnerAndIsNotMarkedGuessed() throws Exception {
        Summary s = Summary.of(rmseRun(List.of(MetricGoal.parse("rmse:min"))).view());

        assertThat(s.primaryMetric()).isEqualTo("rmse");
        assertThat(s.metricNames()).containsExactly("rmse", "r2", "zeta");
        ModelComparison c = s.comparisons().get(0);
        assertThat(c.verdict(c.metrics().get("rmse"))).isEqualTo("narrow ahead, more than noise");
        assertThat(c.verdict(c.metrics().get("r2"))).as("r2 guessed higher-is-better").startsWith("narrow ahead");

        JsonNode root = Json.MAPPER.readTree(SummaryJson.render(s));
        JsonNode rmse = root.at("/comparisons/0/metrics/rmse");
        assertThat(rmse.get("better").asText()).isEqualTo("lower");
        assertThat(rmse.get("better_guessed").asBoolean()).isFalse();
        assertThat(rmse.get("verdict").asText()).isEqualTo("narrow ahead, more than noise");
        assertThat(root.at("/comparisons/0/metrics/r2/better_guessed").asBoolean()).isTrue();
        assertThat(root.get("primary_metric").asText()).isEqualTo("rmse");
        assertThat(root.get("metric_goals").get(0).asText()).isEqualTo("rmse:min");
        assertThat(root.at("/directions/rmse/basis").asText()).isEqualTo("--metric");
        assertThat(root.at("/directions/zeta/basis").asText()).isEqualTo("default");
        assertThat(root.at("/directions/zeta/better").asText()).isEqualTo("higher");

        String table = SummaryTable.render(s);
        assertThat(table).contains("model   n    rmse \u2193").contains("r2 \u2191?")
                .contains("wide vs narrow: rmse +0.108").contains("-> narrow ahead, more than noise\n")
                .doesNotContain("wide ahead")
                // --metric given: the comparison lines are about it alone
                .doesNotContain("wide vs narrow: r2");
        assertThat(table.indexOf("rmse")).isLessThan(table.indexOf("r2"));
    }

    @Test
    void withoutMetricTheKnownNameStillGetsItRightAndSaysItGuessed() throws Exception {
        Summary s = Summary.of(rmseRun(List.of()).view());

        ModelComparison c = s.comparisons().get(0);
        assertThat(c.verdict(c.metrics().get("rmse"))).isEqualTo("narrow ahead, more than noise");
        JsonNode rmse = Json.MAPPER.readTree(SummaryJson.render(s)).at("/comparisons/0/metrics/rmse");
        assertThat(rmse.get("better").asText()).isEqualTo("lower");
        assertThat(rmse.get("better_guessed").asBoolean()).isTrue();
        // without --metric the primary metric is the first in display order, r2: the one compared with the best
        assertThat(SummaryTable.render(s)).contains("rmse \u2193?")
                .contains("wide vs narrow: r2 -0.108 [-0.136, -0.080], p<0.001, n=5 -> narrow ahead, more than noise"
                        + " (guessed: higher is better)")
                .contains("? = guessed: set with --metric NAME:min|max");
    }

    @Test
    void aGoalNoReplicateReportedIsANote() {
        Summary s = Summary.of(rmseRun(List.of(MetricGoal.parse("rsme:min"))).view());

        assertThat(s.primaryMetric()).as("falls back to the first reported").isEqualTo("r2");
        assertThat(s.notes()).singleElement().asString().startsWith("--metric rsme: no completed replicate reported");
        assertThat(SummaryTable.render(s)).contains("note: --metric rsme: no completed replicate reported a metric of"
                + " that name (they report r2, rmse, zeta)");
    }
}
