package io.isofold.shared;

import java.util.List;
import java.util.Map;

/**
 * What the built-in worker writes to {@code ISOFOLD_RESULT}. The supervisor itself only requires the
 * contract's part, a {@code metrics} object of finite numbers; the rest is for reports and checks.
 *
 * @param device      where TensorFlow computed, kind first: {@code "cpu"}, or {@code "gpu"} followed by a space and
 *                    the card's name when nvidia-smi tells it ({@code "gpu NVIDIA H200"}); {@code "unknown"} when the
 *                    trace of the first step named no device. The first word decides: {@code gpu} or not.
 * @param tfDevices   TensorFlow's names of the devices that ran the first training step ({@code "/device:CPU:0"})
 * @param cudaMissing on a GPU slot (non-empty {@code CUDA_VISIBLE_DEVICES}) only: the CUDA sonames TensorFlow 2.18
 *                    loads that the dynamic loader would not find ({@code "libcudart.so.12"}...); empty when all are
 *                    found; absent on a CPU slot
 * @param continuedFrom where this attempt took the training up from a checkpoint of an earlier attempt; absent when
 *                    it trained from the start. {@code metrics} and {@code history} cover the whole training either way.
 * @param directions  for each metric, {@code "min"} or {@code "max"}: which way is better
 */
public record WorkerResult(
        Map<String, Double> metrics,
        List<ProgressEvent> history,
        String device,
        long parameterCount,
        List<String> variableNames,
        String savedModel,
        int trainExamples,
        int validationExamples,
        List<String> tfDevices,
        List<String> cudaMissing,
        ContinuedFrom continuedFrom,
        Map<String, String> directions) {

    /**
     * The names in result.json of the fields the supervisor reads. Written from the components above by
     * {@link Json#MAPPER}'s snake_case naming, read back by these names; {@code ContractFieldNamesTest} holds
     * the two equal.
     */
    public static final String METRICS = "metrics";
    public static final String DEVICE = "device";
    public static final String CUDA_MISSING = "cuda_missing";
    public static final String DIRECTIONS = "directions";

    public static final String MIN = "min";
    public static final String MAX = "max";

    /**
     * The checkpoint an attempt continued from.
     *
     * @param epoch           whole epochs it held
     * @param batch           batches of the next epoch it held (0 when saved at an epoch's end)
     * @param restoredSeconds seconds of training it embodied, which the attempt did not redo
     */
    public record ContinuedFrom(int epoch, int batch, double restoredSeconds) {}

    public WorkerResult(Map<String, Double> metrics, List<ProgressEvent> history, String device, long parameterCount,
                        List<String> variableNames, String savedModel, int trainExamples, int validationExamples) {
        this(metrics, history, device, parameterCount, variableNames, savedModel, trainExamples, validationExamples,
                null, null, null, null);
    }

    public WorkerResult(Map<String, Double> metrics, List<ProgressEvent> history, String device, long parameterCount,
                        List<String> variableNames, String savedModel, int trainExamples, int validationExamples,
                        List<String> tfDevices, List<String> cudaMissing) {
        this(metrics, history, device, parameterCount, variableNames, savedModel, trainExamples, validationExamples,
                tfDevices, cudaMissing, null, null);
    }

    public WorkerResult withCudaMissing(List<String> missing) {
        return new WorkerResult(metrics, history, device, parameterCount, variableNames, savedModel, trainExamples,
                validationExamples, tfDevices, missing, continuedFrom, directions);
    }
}
