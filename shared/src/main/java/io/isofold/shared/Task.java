package io.isofold.shared;

/**
 * The full task of one attempt, written by the supervisor to {@code task.json} before launch.
 *
 * @param replicate   the replicate id, unique within the run (across models too)
 * @param index       the replicate's index within its model; fold = index mod folds, shuffle = index div folds
 * @param shuffleSeed seed of the fold assignment of this shuffle, equal for every replicate of the shuffle
 * @param seed        the replicate's seed for model initialisation and batch order
 * @param gpu         the physical GPU index, or {@code cpu}
 * @param data        the dataset path the built-in worker reads
 */
public record Task(
        int replicate,
        int index,
        String model,
        ModelConfig modelConfig,
        int fold,
        int folds,
        int shuffle,
        long shuffleSeed,
        long seed,
        int attempt,
        String gpu,
        String data,
        boolean saveModel,
        String attemptDir,
        String progressFile,
        String resultFile) {}
