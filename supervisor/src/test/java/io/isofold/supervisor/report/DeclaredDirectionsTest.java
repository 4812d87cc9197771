package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.MetricDirection;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 item 8: the built-in worker's own metrics were shown as "guessed from the name", though it knows their
 * directions. What a worker declares is not a guess; a --metric the user gave wins over it.
 */
@Tag("unit")
class DeclaredDirectionsTest {
    static final Instant T0 = Instant.parse("2025-03-01T20:00:00Z");

    @TempDir
    Path dir;

    /** "score" is a name nobody knows (guessed: higher); the worker says lower is better. */
    private RunView run(List<String> goals) {
        List<AttemptRecord> attempts = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            String model = r < 3 ? "a" : "b";
            double score = (model.equals("a") ? 1.0 : 2.0) + r % 3 * 0.01;
            // the first attempt of the run declares, as the journal keeps it; the others do not repeat it
            Map<String, String> declared = r == 0 ? Map.of("score", "min", "val_loss", "min") : Map.of();
            attempts.add(new AttemptRecord(new AttemptId(r, model, r % 3, r % 3, 0, 1), "cpu/0", "cpu", null,
                    T0.plusSeconds(r), new Outcome(T0.plusSeconds(r + 1), Verdict.COMPLETED, null, 0,
                            Map.of("score", score, "val_loss", score / 10), 1.0, null, null, declared)));
        }
        return RunViews.of(dir, 3, 3, List.of("a", "b"), List.of("cpu/0"), T0, T0.plusSeconds(10), attempts, Map.of())
                .withGoals(MetricGoals.parse(goals));
    }

    @Test
    void aDeclaredDirectionIsNotAGuess() throws Exception {
        Summary s = Summary.of(run(List.of()));

        MetricDirection score = s.direction("score");
        assertThat(score.lowerIsBetter()).isTrue();
        assertThat(score.guessed()).isFalse();
        assertThat(score.basis()).isEqualTo(MetricDirection.Basis.WORKER);
        assertThat(s.guessedDirections()).isEmpty();
        assertThat(s.best()).as("lower is better: a").isEqualTo("a");

        JsonNode root = Json.MAPPER.readTree(SummaryJson.render(s));
        assertThat(root.at("/directions/score/better").asText()).isEqualTo("lower");
        assertThat(root.at("/directions/score/guessed").asBoolean()).isFalse();
        assertThat(root.at("/directions/score/basis").asText()).isEqualTo("worker");
        String table = SummaryTable.render(s);
        assertThat(table).contains("score \u2193").doesNotContain("\u2193?").doesNotContain("guessed");
        String html = ReportPage.render(run(List.of()), s, T0.plusSeconds(20));
        assertThat(html).contains("title=\"declared by the worker\"").doesNotContain("guessed from the name");
    }

    @Test
    void theUsersMetricWinsOverTheWorkersWord() {
        Summary given = Summary.of(run(List.of("score:max")));
        assertThat(given.direction("score").lowerIsBetter()).isFalse();
        assertThat(given.direction("score").basis()).isEqualTo(MetricDirection.Basis.GIVEN);
        assertThat(given.best()).isEqualTo("b");

        // --metric without a direction names the metric; its direction is still the worker's
        Summary named = Summary.of(run(List.of("score")));
        assertThat(named.direction("score").basis()).isEqualTo(MetricDirection.Basis.WORKER);
        assertThat(named.direction("score").lowerIsBetter()).isTrue();
    }

    @Test
    void onlyMinAndMaxAreDeclarations() {
        assertThat(MetricDirection.declared("x", "min").lowerIsBetter()).isTrue();
        assertThat(MetricDirection.declared("x", " Max ").lowerIsBetter()).isFalse();
        assertThat(MetricDirection.declared("x", "lower")).isNull();
        assertThat(MetricDirection.declared("x", null)).isNull();
        assertThat(MetricGoals.NONE.withDeclared(Map.of("x", "sideways")).direction("x").guessed()).isTrue();
    }
}
