package io.isofold.supervisor.report;

import io.isofold.supervisor.journal.RunFiles;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.AtomicFiles;
import io.isofold.supervisor.spec.MetricDirection;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.isofold.shared.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * summary.json. Keys are spelled out here rather than derived from the records, so renaming a Java field
 * cannot silently change the file other tools read. Non-finite numbers become null (JSON has no NaN).
 *
 * <p>Written straight to the file, never held whole: with thousands of metrics (per-class accuracy) of
 * several models, a tree of the file would be many times the summary's own size.
 */
public final class SummaryJson {

    private SummaryJson() {}

    /** The whole summary as a tree. */
    public static ObjectNode tree(Summary s) {
        return tree(s, null);
    }

    /**
     * The summary with only the given metrics in its per-metric sections (the report page's data, which
     * shows a few); {@code metrics} null for all of them.
     */
    public static ObjectNode tree(Summary s, Collection<String> metrics) {
        try {
            TokenBuffer buffer = new TokenBuffer(Json.MAPPER, false);
            write(buffer, s, metrics == null ? null : Set.copyOf(metrics));
            return (ObjectNode) Json.MAPPER.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: no I/O to fail
        }
    }

    public static String render(Summary s) {
        StringWriter out = new StringWriter();
        try {
            writeTo(out, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    public static void write(Summary s, Path outDir) throws IOException {
        AtomicFiles.writeText(new RunFiles(outDir).summaryJson(), out -> writeTo(out, s));
    }

    /** The file's text, pretty-printed, with a final newline. */
    private static void writeTo(Writer out, Summary s) throws IOException {
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            write(g, s, null);
        }
        out.write('\n');
    }

    /** @param only the metrics whose sections are written; null for all */
    private static void write(JsonGenerator g, Summary s, Set<String> only) throws IOException {
        g.writeStartObject();
        g.writeStringField("out_dir", s.outDir() == null ? null : s.outDir().toString());
        g.writeStringField("status", s.state().word());
        g.writeStringField("started", s.started() == null ? null : s.started().toString());
        g.writeStringField("ended", s.ended() == null ? null : s.ended().toString());
        g.writeNumberField("folds", s.folds());
        g.writeNumberField("requested", s.requested());
        g.writeNumberField("completed", s.completed());
        g.writeNumberField("attempts", s.attempts());
        g.writeNumberField("failed_attempts", s.failedAttempts());
        g.writeNumberField("running_attempts", s.runningAttempts());
        g.writeObjectFieldStart("attempts_by_verdict");
        for (Map.Entry<String, Integer> e : s.attemptsByVerdict().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("primary_metric", s.primaryMetric());
        g.writeArrayFieldStart("metric_goals");
        for (String goal : s.goals().texts()) {
            g.writeString(goal);
        }
        g.writeEndArray();
        // which way every metric is better, and whether that was given (--metric NAME:min|max) or guessed
        g.writeObjectFieldStart("directions");
        for (Map.Entry<String, MetricDirection> e : s.directions().entrySet()) {
            if (only == null || only.contains(e.getKey())) {
                MetricDirection d = e.getValue();
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("better", d.better());
                g.writeBooleanField("guessed", d.guessed());
                g.writeStringField("basis", d.basis().label());
                g.writeEndObject();
            }
        }
        g.writeEndObject();
        if (!s.csvColumns().isEmpty()) {
            g.writeObjectFieldStart("results_csv_columns");
            for (Map.Entry<String, String> e : s.csvColumns().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        if (!s.paramColumns().isEmpty()) {
            g.writeObjectFieldStart("results_csv_param_columns");
            for (Map.Entry<String, String> e : s.paramColumns().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        g.writeNumberField("continued_attempts", s.continuedAttempts());
        number(g, "training_seconds_saved", Math.round(s.trainingSecondsSaved() * 10) / 10.0);
        g.writeArrayFieldStart("notes");
        for (String note : s.notes()) {
            g.writeString(note);
        }
        g.writeEndArray();
        if (s.metrics() != null) {
            g.writeFieldName("metrics");
            metrics(g, s.metrics(), only);
        }
        g.writeObjectFieldStart("models");
        for (ModelSummary m : s.models().values()) {
            g.writeObjectFieldStart(m.name());
            g.writeNumberField("requested", m.requested());
            g.writeNumberField("completed", m.completed());
            g.writeNumberField("attempts", m.attempts());
            g.writeNumberField("failed_attempts", m.failedAttempts());
            int rank = s.ranking().indexOf(m.name());
            // the race's eliminated have no place, as in the table
            if (s.primaryMetric() != null && rank >= 0 && m.metrics().containsKey(s.primaryMetric())
                    && !s.eliminated(m.name())) {
                g.writeNumberField("rank", rank + 1);
            }
            if (!m.params().isEmpty()) {
                g.writeObjectFieldStart("params");
                for (Map.Entry<String, String> e : m.params().entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeFieldName("metrics");
            metrics(g, m.metrics(), only);
            g.writeEndObject();
        }
        g.writeEndObject();
        leaderboard(g, s, only);
        g.writeArrayFieldStart("comparisons");
        for (ModelComparison c : s.allPairsAdjusted(only == null ? s.metricNames() : only)) {
            g.writeStartObject();
            g.writeStringField("model_a", c.modelA());
            g.writeStringField("model_b", c.modelB());
            // p_value and verdict are the pair's own, as they always were; p_holm is adjusted over every pair
            g.writeStringField("test", "corrected resampled t-test (Nadeau & Bengio 2003), difference = model_a - model_b");
            comparisonMetrics(g, c, only, false);
            g.writeEndObject();
        }
        g.writeEndArray();
        if (s.race() != null) {
            g.writeFieldName("race");
            g.writeTree(race(s));
        }
        g.writeEndObject();
    }

    /**
     * The leaderboard: the models ranked on the primary metric, the best, and each other model compared with the
     * best, its p-values adjusted by Holm's method over those comparisons.
     */
    private static void leaderboard(JsonGenerator g, Summary s, Set<String> only) throws IOException {
        g.writeObjectFieldStart("leaderboard");
        g.writeStringField("metric", s.primaryMetric());
        if (s.primaryMetric() != null) {
            MetricDirection d = s.direction(s.primaryMetric());
            g.writeStringField("better", d.better());
            g.writeBooleanField("better_guessed", d.guessed());
        }
        g.writeArrayFieldStart("ranking");
        for (String model : s.ranking()) {
            g.writeString(model);
        }
        g.writeEndArray();
        g.writeStringField("best", s.best());
        g.writeArrayFieldStart("params_varied");
        for (String p : s.variedParams()) {
            g.writeString(p);
        }
        g.writeEndArray();
        g.writeStringField("correction", "holm");
        int compared = s.primaryMetric() == null ? 0 : s.comparedWithBest(s.primaryMetric());
        g.writeNumberField("comparisons_with_best", compared);
        g.writeStringField("test", s.best() == null ? "no best yet" : comparisonNote(s, s.primaryMetric()));
        g.writeArrayFieldStart("compared_with_best");
        for (ModelComparison c : s.vsBest()) {
            g.writeStartObject();
            g.writeStringField("model", c.modelA());
            g.writeStringField("best", c.modelB());
            comparisonMetrics(g, c, only, true);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * The sentence that goes with the comparisons with the best: what was compared, how, and the correction
     * for their number. The page and the end-of-run table say the same.
     */
    public static String comparisonNote(Summary s, String metric) {
        int n = metric == null ? 0 : s.comparedWithBest(metric);
        return "each other variant" + (s.race() != null ? " the race kept" : "") + " against the best (" + s.best()
                + ") on the replicates both completed (same fold of the same shuffle), by the corrected resampled"
                + " t-test (Nadeau & Bengio 2003); " + n + (n == 1 ? " comparison" : " comparisons") + " on "
                + metric + (n > 1 ? ", p-values adjusted for their number by Holm's method" : ", so no correction"
                + " for multiple comparisons is needed") + "; a difference is more than noise when "
                + (n > 1 ? "the adjusted p" : "p") + " < " + PairedComparison.ALPHA;
    }

    /** A comparison's per-metric tests, {@code model_a}/{@code model} minus {@code model_b}/{@code best}. */
    private static void comparisonMetrics(JsonGenerator g, ModelComparison c, Set<String> only, boolean adjustedVerdict)
            throws IOException {
        g.writeObjectFieldStart("metrics");
        for (PairedComparison p : c.metrics().values()) {
            if (only != null && !only.contains(p.metric())) {
                continue;
            }
            g.writeObjectFieldStart(p.metric());
            g.writeNumberField("n", p.n());
            number(g, "mean_difference", p.meanDifference());
            number(g, "ci95_low", p.ci95Low());
            number(g, "ci95_high", p.ci95High());
            number(g, "t", p.t());
            if (p.df() == null) {
                g.writeNullField("df");
            } else {
                g.writeNumberField("df", p.df());
            }
            number(g, "p_value", p.pValue());
            number(g, "p_holm", c.adjustedP(p.metric()));
            MetricDirection d = c.direction(p.metric());
            g.writeStringField("better", d.better());
            g.writeBooleanField("better_guessed", d.guessed());
            // every pair's verdict stays the pair's own, as it always was; against the best, Holm's decides
            g.writeStringField("verdict", adjustedVerdict ? c.verdict(p) : unadjusted(c).verdict(p));
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static ModelComparison unadjusted(ModelComparison c) {
        return new ModelComparison(c.modelA(), c.modelB(), c.metrics(), c.directions());
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

    private static void metrics(JsonGenerator g, Map<String, MetricStats> stats, Set<String> only)
            throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, MetricStats> e : stats.entrySet()) {
            if (only != null && !only.contains(e.getKey())) {
                continue;
            }
            MetricStats m = e.getValue();
            g.writeObjectFieldStart(e.getKey());
            g.writeNumberField("n", m.n());
            number(g, "mean", m.mean());
            number(g, "std", m.std());
            number(g, "min", m.min());
            number(g, "max", m.max());
            number(g, "ci95_low", m.ci95Low());
            number(g, "ci95_high", m.ci95High());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** Writes null explicitly (not omitted): "no std with one replicate" is information. */
    private static void number(JsonGenerator g, String key, Double value) throws IOException {
        if (value == null || !Double.isFinite(value)) {
            g.writeNullField(key);
        } else {
            g.writeNumberField(key, value);
        }
    }

    private static void number(ObjectNode node, String key, Double value) {
        if (value == null || !Double.isFinite(value)) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }
}
