package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.JournalEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raced run in summary.json, the end-of-run table and the page: an eliminated variant is never called best. */
@Tag("unit")
class RaceReportTest {
    @TempDir
    Path dir;

    /**
     * Four variants, 5 folds: a and b finish; c and d are eliminated after 3 folds against a. d has by far the
     * best val_loss on its 3 folds: the lucky second metric that must not make it "best".
     */
    RunFixture raced() {
        RunFixture run = new RunFixture(dir, 5, 5, List.of("a", "b", "c", "d"), List.of("gpu0/0", "gpu1/0"));
        double[] a = {0.90, 0.91, 0.92, 0.90, 0.91};
        double[] b = {0.88, 0.89, 0.90, 0.88, 0.89};
        for (int i = 0; i < 5; i++) {
            run.completed("a", i, "gpu0/0", i * 20, i * 20 + 10, a[i], 0.30);
            run.completed("b", i, "gpu1/0", i * 20, i * 20 + 10, b[i], 0.32);
        }
        for (int i = 0; i < 3; i++) {
            run.completed("c", i, "gpu0/0", i * 20 + 10, i * 20 + 20, 0.70 + 0.01 * i, 0.60);
            run.completed("d", i, "gpu1/0", i * 20 + 10, i * 20 + 20, 0.80 - 0.01 * (i % 2), 0.10);
        }
        // c's fold 3 was running when the race cut it
        run.add("c", 3, 1, "gpu0/0", 70, 72, "eliminated", "the race eliminated c", null);
        run.ended = RunFixture.at(200);
        return run;
    }

    static RaceView race() {
        return new RaceView(3, 0.05, List.of(
                new JournalEvent.Eliminated("2025-03-01T20:01:10Z", "c", 3, 3, "val_accuracy", "higher", 21.2, 0.0011,
                        0.05, "a", 0.20),
                new JournalEvent.Eliminated("2025-03-01T20:01:10Z", "d", 3, 3, "val_accuracy", "higher", null, 0.0,
                        0.05, "a", 0.107)));
    }

    @Test
    void summaryJsonHasTheRaceAndRanksTheFinishersOnly() throws Exception {
        RunView view = raced().view().withRace(race());
        Summary s = Summary.of(view);
        SummaryJson.write(s, dir);
        JsonNode root = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());

        assertThat(root.get("requested").asInt()).isEqualTo(20);
        assertThat(root.get("completed").asInt()).isEqualTo(16);
        assertThat(root.get("status").asText()).as("every replicate of the finishers ran").isEqualTo("complete");
        assertThat(root.get("failed_attempts").asInt()).as("an eliminated attempt is no failure").isZero();
        assertThat(root.at("/attempts_by_verdict/eliminated").asInt()).isEqualTo(1);

        JsonNode race = root.get("race");
        assertThat(race.get("burn_in").asInt()).isEqualTo(3);
        assertThat(race.get("alpha").asDouble()).isEqualTo(0.05);
        assertThat(race.get("metric").asText()).isEqualTo("val_accuracy");
        assertThat(race.get("better").asText()).isEqualTo("higher");
        assertThat(race.get("full_grid_replicates").asInt()).isEqualTo(20);
        assertThat(race.get("required_replicates").asInt()).isEqualTo(16);
        assertThat(race.get("attempts_saved").asInt()).isEqualTo(4);
        assertThat(race.get("finished").asInt()).isEqualTo(2);
        assertThat(race.get("eliminated").asInt()).isEqualTo(2);
        assertThat(race.at("/variants/a/status").asText()).isEqualTo("finished");
        assertThat(race.at("/variants/a/folds_run").asInt()).isEqualTo(5);
        JsonNode c = race.at("/variants/c");
        assertThat(c.get("status").asText()).isEqualTo("eliminated");
        assertThat(c.get("folds_run").asInt()).isEqualTo(3);
        assertThat(c.get("eliminated_after_folds").asInt()).isEqualTo(3);
        assertThat(c.get("p").asDouble()).isEqualTo(0.0011);
        assertThat(c.get("statistic").asDouble()).isEqualTo(21.2);
        assertThat(c.get("compared_with").asText()).isEqualTo("a");
        assertThat(race.at("/variants/d/statistic").isNull()).as("no spread: null, not Infinity").isTrue();

        List<String> ranking = race.get("ranking").findValuesAsText("variant");
        assertThat(ranking).containsExactly("a", "b");
        assertThat(race.at("/ranking/0/mean").asDouble()).isEqualTo(0.908, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(race.at("/best/val_accuracy").asText()).isEqualTo("a");
        assertThat(race.at("/best/val_loss").asText()).as("d's val_loss is better, but d is out").isEqualTo("a");
        assertThat(root.at("/models/d/metrics/val_loss/mean").asDouble()).as("its figures stay")
                .isCloseTo(0.10, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void aRunningRaceIsNotCompleteUntilTheFinishersAre() {
        RunFixture run = raced();
        run.attempts.removeIf(a -> a.model().equals("b") && a.index() == 4);
        Summary s = Summary.of(run.view().withRace(race()));
        assertThat(s.required()).isEqualTo(16);
        assertThat(s.state()).isEqualTo(RunStanding.STOPPED);
        assertThat(s.race().variant("b").status()).isEqualTo(RaceSummary.RACING);
        assertThat(s.race().ranking()).containsExactly("a", "b");
    }

    @Test
    void withoutARaceNothingChanges() throws Exception {
        RunView view = RunFixture.twoModels(dir).view();
        Summary s = Summary.of(view);
        assertThat(s.race()).isNull();
        assertThat(s.required()).isEqualTo(s.requested());
        assertThat(SummaryJson.tree(s).has("race")).isFalse();
        assertThat(SummaryTable.render(s)).doesNotContain("race");
        assertThat(ReportPage.render(view, s, RunFixture.at(400))).doesNotContain("Race");
    }

    @Test
    void theTableMarksTheEliminatedAndComparesTheFinishersOnly() {
        String table = SummaryTable.render(Summary.of(raced().view().withRace(race())));
        assertThat(table).startsWith("16/16 replicates completed, 17 attempts (0 failed), complete;"
                + " the race left 4 of 20 replicates unrun\n");
        assertThat(table).containsPattern("(?m)^# +model +n +race +val_accuracy")
                .containsPattern("(?m)^best +a +5/5 +finished ")
                // the eliminated have no place on the leaderboard, and come after those that finished
                .containsPattern("(?m)^- +c +3/5 +eliminated after 3 folds \\(p=0\\.001 vs a\\) ")
                .containsPattern("(?m)^- +d +3/5 +eliminated after 3 folds \\(p<0\\.001 vs a\\) ")
                .contains("race on val_accuracy \u2191? (burn-in 3, alpha 0.05): 2 of 4 variants finished, 2 eliminated;"
                        + " best of those not eliminated: a\n")
                .contains("b vs a: val_accuracy")
                .doesNotContain("a vs c").doesNotContain("b vs d").doesNotContain("c vs d");
    }

    /** Issue 18 item 7: the leaderboard never calls an eliminated variant best, though its few folds look best. */
    @Test
    void theLeaderboardsBestIsNeverAnEliminatedVariant() throws Exception {
        // d, eliminated on val_accuracy, has the lowest val_loss of all: ranked on val_loss it would lead
        Summary s = Summary.of(raced().view().withRace(race()).withGoals(MetricGoals.parse(List.of("val_loss"))));
        assertThat(s.models().get("d").metrics().get("val_loss").mean())
                .isLessThan(s.models().get("a").metrics().get("val_loss").mean());
        assertThat(s.best()).isEqualTo("a");
        assertThat(s.ranking()).containsExactly("a", "b", "d", "c");
        assertThat(s.vsBest()).extracting(ModelComparison::modelA).containsExactly("b");
        JsonNode root = Json.MAPPER.readTree(SummaryJson.render(s));
        assertThat(root.at("/leaderboard/best").asText()).isEqualTo("a");
        assertThat(root.at("/models/d").has("rank")).isFalse();
        assertThat(root.at("/models/b/rank").asInt()).isEqualTo(2);
        assertThat(SummaryTable.render(s)).containsPattern("(?m)^best +a ").containsPattern("(?m)^- +d ")
                .doesNotContain("d vs a");
    }

    @Test
    void thePageDrawsTheRaceWithACrossWhereEachWasCut() {
        RunView view = raced().view().withRace(race());
        String html = ReportPage.render(view, Summary.of(view), RunFixture.at(400));
        assertThat(html).contains("<h2>Race on val_accuracy").contains("<svg class=\"chart race\"");
        assertThat(count(html, "class=\"race-cut\"")).isEqualTo(2);
        assertThat(count(html, "<g class=\"race-variant\">")).isEqualTo(4);
        // the table: the finishers ranked, then the eliminated without a rank
        Matcher rows = Pattern.compile("<tr class=\"race-(\\w+)\"><td class=\"num\">(\\d*)</td><td><span class=\"key\">"
                + "<i style=\"background:[^\"]+\"></i>(\\w+)</span>").matcher(html);
        StringBuilder seen = new StringBuilder();
        while (rows.find()) {
            seen.append(rows.group(3)).append(':').append(rows.group(2)).append(':').append(rows.group(1)).append(' ');
        }
        assertThat(seen.toString().strip()).isEqualTo("a:1:finished b:2:finished c::eliminated d::eliminated");
        String section = html.substring(html.indexOf("<h2>Race"), html.indexOf("</section>", html.indexOf("<h2>Race")));
        assertThat(section).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(html).contains("<title>isofold " + dir.getFileName() + ": 16/16 completed, complete</title>");
    }

    @Test
    void runningMeansCarryTheirIntervalAndSkipMissingFolds() {
        java.util.TreeMap<Integer, Double> values = new java.util.TreeMap<>(Map.of(0, 0.8, 1, 0.9, 3, 1.0));
        List<double[]> points = RaceChart.runningMeans(values);
        assertThat(points).hasSize(3);
        assertThat(points.get(0)).containsExactly(1, 0.8, 0.8, 0.8);
        assertThat(points.get(1)[0]).isEqualTo(2);
        assertThat(points.get(1)[1]).isEqualTo(0.85, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(points.get(1)[2]).isLessThan(0.8);
        assertThat(points.get(2)[0]).as("fold 3 missing: the next point is after 4 folds").isEqualTo(4);
        assertThat(points.get(2)[1]).isEqualTo(0.9, org.assertj.core.api.Assertions.within(1e-12));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
