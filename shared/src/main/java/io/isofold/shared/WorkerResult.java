package io.isofold.shared;

import java.util.List;
import java.util.Map;

/**
 * What the built-in worker writes to {@code ISOFOLD_RESULT}. The supervisor itself only requires the
 * contract's part, a {@code metrics} object of finite numbers; the rest is for reports.
 */
public record WorkerResult(
        Map<String, Double> metrics,
        List<ProgressEvent> history,
        String device,
        long parameterCount,
        List<String> variableNames,
        String savedModel,
        int trainExamples,
        int validationExamples) {}
