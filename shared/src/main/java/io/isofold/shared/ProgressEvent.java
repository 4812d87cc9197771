package io.isofold.shared;

/**
 * One line of {@code progress.jsonl}: the worker's heartbeat. An end-of-epoch line has all fields; a
 * line written within a long epoch has {@code batch} set and the validation fields absent.
 */
public record ProgressEvent(
        int epoch,
        Integer batch,
        Integer batches,
        Double loss,
        Double accuracy,
        Double valLoss,
        Double valAccuracy,
        double seconds) {

    public boolean endOfEpoch() {
        return batch == null;
    }
}
