package io.isofold.supervisor.report;

import java.util.Map;

/**
 * One model's part of a run.
 *
 * @param metrics per metric, in display order
 * @param params  its settings ({@link VariantParams}), as typed; empty when unknown
 */
public record ModelSummary(String name, int requested, int completed, int attempts, int failedAttempts,
        Map<String, MetricStats> metrics, Map<String, String> params) {

    public ModelSummary {
        params = params == null ? Map.of() : params;
    }

    public ModelSummary(String name, int requested, int completed, int attempts, int failedAttempts,
            Map<String, MetricStats> metrics) {
        this(name, requested, completed, attempts, failedAttempts, metrics, Map.of());
    }
}
