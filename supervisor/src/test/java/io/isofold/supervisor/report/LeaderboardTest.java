package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 item 7: the report of a sweep of 4 variants. The leaderboard is sorted by the primary metric, shows
 * the params as columns, marks the best, compares each variant with the best (not every pair) with Holm's
 * correction for the number of comparisons, and says so.
 */
@Tag("unit")
class LeaderboardTest {
    static final String A = "lr-0.1_batch-32";
    static final String B = "lr-0.01_batch-32";
    static final String C = "lr-0.1_batch-64";
    static final String D = "lr-0.01_batch-64";

    @TempDir
    Path dir;

    /**
     * 5 folds; B is best (mean about 0.900), C and D close behind (their paired p about 0.035 and 0.030, each below
     * 0.05 alone, both 0.060 after Holm's adjustment over the three comparisons), A far behind.
     */
    RunFixture sweep() {
        RunFixture run = new RunFixture(dir, 5, 5, List.of(A, B, C, D), List.of("gpu0/0"));
        double[] fold = {0, 0.01, -0.01, 0.005, -0.005};
        double[] noiseA = {0.001, -0.002, 0.003, 0.000, -0.001};
        double[] noiseB = {0.002, 0.001, -0.001, -0.003, 0.000};
        double[] noiseC = {-0.003, 0.004, -0.002, 0.001, 0.003};
        double[] noiseD = {0.004, -0.003, 0.002, -0.004, 0.001};
        for (int i = 0; i < 5; i++) {
            double b = 0.90 + fold[i] + noiseB[i];
            run.completed(A, i, "gpu0/0", i, i + 1, 0.80 + fold[i] + noiseA[i], 0.5);
            run.completed(B, i, "gpu0/0", i, i + 1, b, 0.3);
            run.completed(C, i, "gpu0/0", i, i + 1, b - 0.007 + noiseC[i], 0.31);
            run.completed(D, i, "gpu0/0", i, i + 1, b - 0.0075 + noiseD[i], 0.32);
        }
        run.ended = RunFixture.at(10);
        return run;
    }

    RunView view() {
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        params.put(A, Map.of("lr", "0.1", "batch", "32"));
        params.put(B, Map.of("lr", "0.01", "batch", "32"));
        params.put(C, Map.of("lr", "0.1", "batch", "64"));
        params.put(D, Map.of("lr", "0.01", "batch", "64"));
        // as run.json gives them: in the order --param gave them
        Map<String, Map<String, String>> ordered = new LinkedHashMap<>();
        params.forEach((m, p) -> {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("lr", p.get("lr"));
            o.put("batch", p.get("batch"));
            ordered.put(m, o);
        });
        return sweep().view().withParams(ordered);
    }

    @Test
    void ranksByThePrimaryMetricAndComparesEachWithTheBestUnderHolm() {
        Summary s = Summary.of(view());

        assertThat(s.ranking()).containsExactly(B, C, D, A);
        assertThat(s.best()).isEqualTo(B);
        assertThat(s.vsBest()).extracting(ModelComparison::modelA).containsExactly(C, D, A);
        assertThat(s.vsBest()).extracting(ModelComparison::modelB).containsOnly(B);
        ModelComparison c = s.vsBest().get(0);
        PairedComparison cAcc = c.metrics().get("val_accuracy");
        assertThat(cAcc.meanDifference()).as("variant minus best").isCloseTo(-0.0064, within(1e-9));
        assertThat(cAcc.pValue()).isCloseTo(0.0352, within(5e-4));
        assertThat(c.adjustedP("val_accuracy")).isCloseTo(0.0600, within(5e-4));
        assertThat(s.vsBest().get(1).adjustedP("val_accuracy")).isCloseTo(0.0600, within(5e-4));
        assertThat(s.vsBest().get(2).adjustedP("val_accuracy")).isLessThan(1e-4);
        // alone each looks like more than noise; three at once, not
        assertThat(cAcc.significant()).isTrue();
        assertThat(c.verdict(cAcc)).isEqualTo(B + " ahead, within noise");
        assertThat(s.vsBest().get(2).verdict(s.vsBest().get(2).metrics().get("val_accuracy")))
                .isEqualTo(B + " ahead, more than noise");
        assertThat(s.variedParams()).containsExactly("lr", "batch");
    }

    @Test
    void theTableIsALeaderboard() {
        String table = SummaryTable.render(Summary.of(view()));

        List<String> lines = table.lines().toList();
        assertThat(lines.get(1)).matches("# +model +lr +batch +n +val_accuracy ↑\\? +val_loss ↓\\?");
        assertThat(lines.get(2)).startsWith("best  " + B + "  0.01  32 ");
        assertThat(lines.get(3)).startsWith("2     " + C + "   0.1   64 ");
        assertThat(lines.get(4)).startsWith("3     " + D);
        assertThat(lines.get(5)).startsWith("4     " + A);
        assertThat(table).contains("(sorted by val_accuracy, best first; ")
                .contains("vs the best, " + B + " (paired by fold, corrected resampled t-test; 3 comparisons, p adjusted"
                        + " by Holm's method; every pair: report DIR --all-pairs):\n")
                .contains(C + " vs " + B + ": val_accuracy -0.0064 [")
                .contains("p=0.035, Holm p=0.060, n=5 -> " + B + " ahead, within noise")
                .doesNotContain(A + " vs " + C).doesNotContain("val_loss -");
        assertThat(table.lines().filter(l -> l.contains(" vs "))).hasSize(3);

        String allPairs = SummaryTable.render(Summary.of(view()), true);
        assertThat(allPairs).contains("every pair (paired by fold, corrected resampled t-test; p adjusted by Holm's"
                + " method over the 6 pairs of each metric):\n").contains(A + " vs " + C + ": val_accuracy");
        assertThat(allPairs.lines().filter(l -> l.contains(" vs "))).hasSize(6);
    }

    @Test
    void summaryJsonHasTheLeaderboardAndStillEveryPair() throws Exception {
        JsonNode root = Json.MAPPER.readTree(SummaryJson.render(Summary.of(view())));

        JsonNode board = root.get("leaderboard");
        assertThat(board.get("metric").asText()).isEqualTo("val_accuracy");
        assertThat(board.get("better").asText()).isEqualTo("higher");
        assertThat(board.get("ranking")).extracting(JsonNode::asText).containsExactly(B, C, D, A);
        assertThat(board.get("best").asText()).isEqualTo(B);
        assertThat(board.get("params_varied")).extracting(JsonNode::asText).containsExactly("lr", "batch");
        assertThat(board.get("correction").asText()).isEqualTo("holm");
        assertThat(board.get("comparisons_with_best").asInt()).isEqualTo(3);
        assertThat(board.get("test").asText()).contains("3 comparisons on val_accuracy, p-values adjusted for their"
                + " number by Holm's method");
        JsonNode first = board.at("/compared_with_best/0");
        assertThat(first.get("model").asText()).isEqualTo(C);
        assertThat(first.get("best").asText()).isEqualTo(B);
        assertThat(first.at("/metrics/val_accuracy/p_holm").asDouble()).isCloseTo(0.06, within(5e-4));
        assertThat(first.at("/metrics/val_accuracy/verdict").asText()).isEqualTo(B + " ahead, within noise");

        assertThat(root.at("/models/" + B + "/params/lr").asText()).isEqualTo("0.01");
        assertThat(root.at("/models/" + B + "/params/batch").asText()).isEqualTo("32");
        assertThat(root.at("/models/" + B + "/rank").asInt()).isEqualTo(1);
        assertThat(root.at("/models/" + A + "/rank").asInt()).isEqualTo(4);
        assertThat(root.at("/results_csv_param_columns/lr").asText()).isEqualTo("param.lr");

        // every pair, as before: the same fields, each pair's own verdict, and Holm's p over the 6 pairs besides
        JsonNode pairs = root.get("comparisons");
        assertThat(pairs).hasSize(6);
        JsonNode bc = null;
        for (JsonNode p : pairs) {
            assertThat(p.has("model_a") && p.has("model_b") && p.has("test") && p.has("metrics")).isTrue();
            if (p.get("model_a").asText().equals(B) && p.get("model_b").asText().equals(C)) {
                bc = p.at("/metrics/val_accuracy");
            }
        }
        assertThat(bc).isNotNull();
        assertThat(bc.get("verdict").asText()).isEqualTo(B + " ahead, more than noise");
        assertThat(bc.get("p_value").asDouble()).isCloseTo(0.0352, within(5e-4));
        assertThat(bc.get("p_holm").asDouble()).isGreaterThan(bc.get("p_value").asDouble());
        for (String field : List.of("n", "mean_difference", "ci95_low", "ci95_high", "t", "df", "p_value", "better",
                "better_guessed", "verdict")) {
            assertThat(bc.has(field)).as(field).isTrue();
        }
    }

    @Test
    void resultsCsvHasAColumnPerParam() {
        String csv = ResultsCsv.render(view());
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo("replicate,model,fold,attempt,gpu,duration_s,val_accuracy,val_loss,"
                + "param.lr,param.batch");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("1000,").contains("," + B + ",")
                .endsWith(",0.01,32"));
    }

    @Test
    void thePageShowsTheLeaderboard() {
        RunView view = view();
        Summary s = Summary.of(view);
        String html = ReportPage.render(view, s, RunFixture.at(20));

        String models = ReportPageTest.between(html, "<table class=\"stats\" id=\"models\">", "</table>");
        assertThat(models).contains("<th class=\"param\">lr</th><th class=\"param\">batch</th>")
                .contains("<tr class=\"best\"><td class=\"num\">1</td><td>" + B
                        + " <span class=\"badge best\">best</span></td><td class=\"param\">0.01</td>");
        assertThat(models.indexOf(">" + B + " ")).isLessThan(models.indexOf(">" + C + "<"));
        assertThat(models.indexOf(">" + C + "<")).isLessThan(models.indexOf(">" + D + "<"));
        assertThat(models.indexOf(">" + D + "<")).isLessThan(models.indexOf(">" + A + "<"));
        assertThat(html).contains("<h2>Models <small>sorted by val_accuracy, best first</small></h2>")
                .contains("<h2>Comparisons <small>each variant against the best</small></h2>")
                .contains("3 comparisons on val_accuracy, p-values adjusted for their number by Holm&#39;s method");
        String comparisons = ReportPageTest.between(html, "<table class=\"stats\" id=\"comparisons\">", "</table>");
        assertThat(ReportPageTest.count(comparisons, "<tr")).as("header, 3 variants x 2 metrics").isEqualTo(1 + 6);
        assertThat(comparisons).doesNotContain(A + " vs " + C);

        String distribution = ReportPageTest.between(html, "<svg id=\"distribution\"", "</svg>");
        assertThat(distribution.indexOf(">" + B + "<")).isLessThan(distribution.indexOf(">" + C + "<"));
        assertThat(distribution.indexOf(">" + D + "<")).isLessThan(distribution.indexOf(">" + A + "<"));
        assertThat(distribution).contains("\u2605 best");

        String allPairs = ReportPage.render(view, s, RunFixture.at(20), true);
        assertThat(allPairs).contains("<h2>Comparisons <small>every pair</small></h2>").contains(A + " vs " + C);
        assertThat(ReportPageTest.count(ReportPageTest.between(allPairs, "<table class=\"stats\" id=\"comparisons\">",
                "</table>"), "<tr")).isEqualTo(1 + 6 * 2);
    }

    @Test
    void aLongNameIsWrappedNeverCut() {
        String name = "mlp-u512-256-128_lr-0.0003_dropout-0.25_batch-128_weight-decay-0.0001_warmup-500_seed-7";
        RunFixture run = new RunFixture(dir, 3, 3, List.of("a", name), List.of("cpu/0"));
        for (int i = 0; i < 3; i++) {
            run.completed("a", i, "cpu/0", i, i + 1, 0.8 + i * 0.01, 0.3);
            run.completed(name, i, "cpu/0", i, i + 1, 0.9 + i * 0.01, 0.3);
        }
        RunFixture.writeProgress(run.attempts.get(1), 0.5, 0.4);
        String html = ReportPage.render(run.view(), Summary.of(run.view()), RunFixture.at(20));

        for (String chart : List.of(ReportPageTest.between(html, "<svg id=\"distribution\"", "</svg>"),
                ReportPageTest.between(html, "<div class=\"curve-metric\" data-metric=\"val_loss\">", "</div>"))) {
            List<String> pieces = new ArrayList<>();
            var m = java.util.regex.Pattern.compile("<tspan x=\"(\\d+)\" y=\"[^\"]+\">([^<]*)</tspan>").matcher(chart);
            while (m.find()) {
                pieces.add(m.group(2));
            }
            assertThat(String.join("", pieces)).as(chart).contains(name);
            assertThat(pieces).as("more than one line").hasSizeGreaterThan(1);
            assertThat(chart).contains("<title>" + name + "</title>");
        }
        // the labels' column: wider for long names, and every line fits in it
        String distribution = ReportPageTest.between(html, "<svg id=\"distribution\"", "</svg>");
        var x = java.util.regex.Pattern.compile("<tspan x=\"(\\d+)\"").matcher(distribution);
        assertThat(x.find()).isTrue();
        int right = Integer.parseInt(x.group(1));
        for (String line : Labels.wrap(name, Labels.fit(right - 12))) {
            assertThat(line.length() * Labels.CHAR_PX).isLessThanOrEqualTo(right);
        }
    }

    @Test
    void wrapBreaksAfterSeparatorsAndKeepsEveryCharacter() {
        assertThat(Labels.wrap("lr-0.01_batch-32", 40)).containsExactly("lr-0.01_batch-32");
        assertThat(Labels.wrap("lr-0.0001_batch-32_dropout-0.5", 16)).containsExactly("lr-0.0001_", "batch-32_", "dropout-0.5");
        assertThat(String.join("", Labels.wrap("x".repeat(50), 20))).isEqualTo("x".repeat(50));
        assertThat(Labels.wrap("x".repeat(50), 20)).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(20));
    }

    @Test
    void oneModelHasNoRankAndNoComparison() throws Exception {
        RunFixture run = new RunFixture(dir, 3, 3, List.of("cnn"), List.of("cpu/0"));
        run.completed("cnn", 0, "cpu/0", 0, 1, 0.9, 0.3);
        Summary s = Summary.of(run.view());
        assertThat(s.best()).isEqualTo("cnn");
        assertThat(s.vsBest()).isEmpty();
        assertThat(SummaryTable.render(s)).doesNotContain("best").contains("model  n    val_accuracy");
        assertThat(Files.exists(dir)).isTrue();
    }
}
