package io.isofold.supervisor.report;

import io.isofold.supervisor.spec.MetricDirection;
import io.isofold.shared.AtomicFiles;import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * summary.json. Keys are spelled out here rather than derived from the records, so renaming a Java field
 * cannot silently change the file other tools read. Non-finite numbers become null (JSON has no NaN).
 */
public final class SummaryJson {
    public static final String FILE_NAME = "summary.json";

    private SummaryJson() {}

    public static ObjectNode tree(Summary s) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("out_dir", s.outDir() == null ? null : s.outDir().toString());
        root.put("status", s.state());
        root.put("started", s.started() == null ? null : s.started().toString());
        root.put("ended", s.ended() == null ? null : s.ended().toString());
        root.put("folds", s.folds());
        root.put("requested", s.requested());
        root.put("completed", s.completed());
        root.put("attempts", s.attempts());
        root.put("failed_attempts", s.failedAttempts());
        root.put("running_attempts", s.runningAttempts());
        ObjectNode byVerdict = root.putObject("attempts_by_verdict");
        s.attemptsByVerdict().forEach(byVerdict::put);
        root.put("primary_metric", s.primaryMetric());
        s.goals().texts().forEach(root.putArray("metric_goals")::add);
        // which way every metric is better, and whether that was given (--metric NAME:min|max) or guessed
        ObjectNode directions = root.putObject("directions");
        s.directions().forEach((name, d) -> {
            ObjectNode o = directions.putObject(name);
            o.put("better", d.better());
            o.put("guessed", d.guessed());
            o.put("basis", d.basis().label());
        });
        if (!s.csvColumns().isEmpty()) {
            ObjectNode columns = root.putObject("results_csv_columns");
            s.csvColumns().forEach(columns::put);
        }
        s.notes().forEach(root.putArray("notes")::add);
        if (s.metrics() != null) {
            root.set("metrics", metrics(s.metrics()));
        }
        ObjectNode models = root.putObject("models");
        for (ModelSummary m : s.models().values()) {
            ObjectNode node = models.putObject(m.name());
            node.put("requested", m.requested());
            node.put("completed", m.completed());
            node.put("attempts", m.attempts());
            node.put("failed_attempts", m.failedAttempts());
            node.set("metrics", metrics(m.metrics()));
        }
        var comparisons = root.putArray("comparisons");
        for (ModelComparison c : s.comparisons()) {
            ObjectNode node = comparisons.addObject();
            node.put("model_a", c.modelA());
            node.put("model_b", c.modelB());
            node.put("test", "corrected resampled t-test (Nadeau & Bengio 2003), difference = model_a - model_b");
            ObjectNode perMetric = node.putObject("metrics");
            for (PairedComparison p : c.metrics().values()) {
                ObjectNode pm = perMetric.putObject(p.metric());
                pm.put("n", p.n());
                number(pm, "mean_difference", p.meanDifference());
                number(pm, "ci95_low", p.ci95Low());
                number(pm, "ci95_high", p.ci95High());
                number(pm, "t", p.t());
                if (p.df() == null) {
                    pm.putNull("df");
                } else {
                    pm.put("df", p.df());
                }
                number(pm, "p_value", p.pValue());
                MetricDirection d = c.direction(p.metric());
                pm.put("better", d.better());
                pm.put("better_guessed", d.guessed());
                pm.put("verdict", c.verdict(p));
            }
        }
        if (s.race() != null) {
            root.set("race", race(s));
        }
        return root;
    }

    /**
     * How the race went. Its ranking and its best hold the variants not eliminated only: an eliminated
     * variant's figures stay in {@code models}, but it is never called best, on any metric.
     */
    public static ObjectNode race(Summary s) {
        RaceSummary r = s.race();
        ObjectNode race = JsonNodeFactory.instance.objectNode();
        race.put("burn_in", r.burnIn());
        race.put("alpha", r.alpha());
        race.put("metric", r.metric());
        race.put("better", r.better());
        race.put("test", "one-sided paired t-test of each variant against the current best, over the replicates"
                + " both completed; no correction for the number of comparisons");
        race.put("full_grid_replicates", r.fullGrid());
        race.put("required_replicates", s.required());
        race.put("attempts_saved", r.attemptsSaved());
        race.put("finished", r.finishedCount());
        race.put("eliminated", r.eliminatedCount());
        ObjectNode variants = race.putObject("variants");
        for (RaceSummary.Variant v : r.variants()) {
            ObjectNode o = variants.putObject(v.name());
            o.put("status", v.status());
            o.put("folds_run", v.foldsRun());
            var e = v.elimination();
            if (e != null) {
                o.put("eliminated_after_folds", e.afterFolds());
                o.put("compared_with", e.best());
                o.put("folds_compared", e.folds());
                number(o, "statistic", e.statistic());
                number(o, "p", e.p());
                number(o, "difference", e.difference());
                o.put("metric", e.metric());
                o.put("eliminated_at", e.time());
            }
        }
        var ranking = race.putArray("ranking");
        for (String name : r.ranking()) {
            ObjectNode o = ranking.addObject();
            o.put("variant", name);
            o.put("status", r.variant(name).status());
            MetricStats st = r.metric() == null ? null : s.models().get(name).metrics().get(r.metric());
            if (st != null) {
                o.put("n", st.n());
                number(o, "mean", st.mean());
                number(o, "std", st.std());
            }
        }
        ObjectNode best = race.putObject("best");
        r.best().forEach(best::put);
        return race;
    }

    public static String render(Summary s) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree(s)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain nodes always serialises
        }
    }

    public static void write(Summary s, Path outDir) throws IOException {
        AtomicFiles.writeString(outDir.resolve(FILE_NAME), render(s));
    }

    private static ObjectNode metrics(Map<String, MetricStats> stats) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        stats.forEach((name, m) -> {
            ObjectNode o = node.putObject(name);
            o.put("n", m.n());
            number(o, "mean", m.mean());
            number(o, "std", m.std());
            number(o, "min", m.min());
            number(o, "max", m.max());
            number(o, "ci95_low", m.ci95Low());
            number(o, "ci95_high", m.ci95High());
        });
        return node;
    }

    /** Writes null explicitly (not omitted): "no std with one replicate" is information. */
    private static void number(ObjectNode node, String key, Double value) {
        if (value == null || !Double.isFinite(value)) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }
}
