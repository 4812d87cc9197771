package io.isofold.shared;

/**
 * The full task of one attempt, written by the supervisor to {@code task.json} before launch.
 *
 * @param replicate       the replicate id, unique within the run (numbered across variants)
 * @param index           the replicate's index within its variant: fold = index mod folds, shuffle = index div folds
 * @param splitSeed       the seed the data is split into folds with (0..2^31-1), equal for every variant and fold
 *                        of one shuffle
 * @param seed            the replicate's seed for model initialisation and batch order (0..2^31-1)
 * @param gpu             the physical GPU index, or {@code cpu}
 * @param data            the dataset path the built-in worker reads; null for a worker command
 * @param checkpointDir   the replicate's checkpoint directory, kept across its attempts; null when the run does not
 *                        continue attempts ({@code --no-continue} gives each attempt an empty one instead)
 * @param checkpointEvery the built-in worker's checkpoint interval within an epoch, in seconds; null for none
 */
public record Task(
        int replicate,
        int index,
        String model,
        ModelConfig modelConfig,
        int fold,
        int folds,
        int shuffle,
        long splitSeed,
        long seed,
        int attempt,
        String gpu,
        String data,
        boolean saveModel,
        String attemptDir,
        String progressFile,
        String resultFile,
        String checkpointDir,
        Long checkpointEvery) {

    /** The same task with its files elsewhere: what a standby worker is told to expect, in its own folder. */
    public Task locatedIn(String newAttemptDir, String newProgressFile, String newResultFile) {
        return new Task(replicate, index, model, modelConfig, fold, folds, shuffle, splitSeed, seed, attempt, gpu, data,
                saveModel, newAttemptDir, newProgressFile, newResultFile, checkpointDir, checkpointEvery);
    }
}
