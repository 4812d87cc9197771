package io.isofold.supervisor.report;

import java.util.Map;

/**
 * One model's part of a run.
 *
 * @param metrics per metric, in display order
 */
public record ModelSummary(String name, int requested, int completed, int attempts, int failedAttempts,
        Map<String, MetricStats> metrics) {}
