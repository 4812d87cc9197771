package io.isofold.supervisor.journal;

/**
 * Where an attempt's worker continued from, as it reported (its progress file's {@code continued} line):
 * the whole epochs of the checkpoint, the batches of the next epoch it held, and the training time it
 * spared the attempt.
 *
 * @param batch           null when the worker did not say
 * @param restoredSeconds null when the worker did not say
 */
public record ContinuedFrom(int epoch, Integer batch, Double restoredSeconds) {
    /** "epoch 4", "epoch 4, batch 120": how the console, status and the report say it. */
    public String label() {
        return "epoch " + epoch + (batch != null && batch > 0 ? ", batch " + batch : "");
    }
}
