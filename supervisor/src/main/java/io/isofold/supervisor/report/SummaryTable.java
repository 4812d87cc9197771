package io.isofold.supervisor.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The plain-text table printed at the end of a run: a reader should know in five seconds which model did
 * what and whether the gap between them is real. Everything else is in summary.json and report.html.
 */
public final class SummaryTable {
    /** More columns than this stop being readable at a glance; the rest are in summary.json. */
    static final int MAX_METRICS = 4;

    private SummaryTable() {}

    public static String render(Summary s) {
        StringBuilder out = new StringBuilder();
        out.append(s.completed()).append('/').append(s.requested()).append(" replicates completed, ")
                .append(s.attempts()).append(s.attempts() == 1 ? " attempt" : " attempts")
                .append(" (").append(s.failedAttempts()).append(" failed");
        if (s.runningAttempts() > 0) {
            out.append(", ").append(s.runningAttempts()).append(" running");
        }
        out.append("), ").append(s.running() ? "running" : "finished").append('\n');

        List<String> metrics = s.metricNames().subList(0, Math.min(MAX_METRICS, s.metricNames().size()));
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("model", "n"));
        header.addAll(metrics);
        rows.add(header);
        for (ModelSummary m : s.models().values()) {
            List<String> row = new ArrayList<>(List.of(m.name(), m.completed() + "/" + m.requested()));
            for (String metric : metrics) {
                MetricStats st = m.metrics().get(metric);
                row.add(st == null ? "-" : meanStd(st));
            }
            rows.add(row);
        }
        out.append(columns(rows));
        if (s.metricNames().size() > metrics.size()) {
            out.append("(").append(s.metricNames().size() - metrics.size())
                    .append(" more metrics in summary.json)\n");
        }

        for (ModelComparison c : s.comparisons()) {
            for (String metric : metrics) {
                PairedComparison p = c.metrics().get(metric);
                if (p != null) {
                    out.append(comparisonLine(c, p)).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** e.g. {@code cnn vs mlp: val_accuracy +0.031 [0.018, 0.044], p=0.002 -> cnn ahead, more than noise}. */
    static String comparisonLine(ModelComparison c, PairedComparison p) {
        StringBuilder line = new StringBuilder(c.modelA()).append(" vs ").append(c.modelB()).append(": ")
                .append(p.metric()).append(' ');
        if (p.ci95Low() == null) {
            return line.append("-> ").append(c.verdict(p)).toString();
        }
        double scale = Math.max(Math.abs(p.ci95Low()), Math.abs(p.ci95High()));
        line.append(Numbers.signed(p.meanDifference(), scale))
                .append(" [").append(Numbers.fixed(p.ci95Low(), scale)).append(", ")
                .append(Numbers.fixed(p.ci95High(), scale)).append("], ")
                .append(Numbers.pValue(p.pValue())).append(", n=").append(p.n())
                .append(" -> ").append(c.verdict(p));
        return line.toString();
    }

    static String meanStd(MetricStats st) {
        if (st.std() == null) {
            return Numbers.fixed(st.mean(), st.mean());
        }
        return Numbers.fixed(st.mean(), st.mean()) + " ± " + Numbers.fixed(st.std(), st.mean());
    }

    private static String columns(List<List<String>> rows) {
        int[] width = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == 0 ? "" : "  ").append(row.get(i)).append(" ".repeat(width[i] - row.get(i).length()));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
