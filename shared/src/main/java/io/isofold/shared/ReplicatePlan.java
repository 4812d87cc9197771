package io.isofold.shared;

/**
 * Where replicate index r of a run with K folds lands: fold r mod K of shuffle r div K (repeated
 * k-fold), with seeds derived from the run's base seed so any process computes the same plan. Both
 * seeds are in 0..{@value #MAX_SEED}.
 *
 * @param seed      the replicate's own seed: model initialisation, batch order
 * @param splitSeed the seed every variant and fold of one shuffle splits the data with, so that the
 *                  K folds of a shuffle partition the data and paired comparisons compare the same splits
 */
public record ReplicatePlan(int index, int fold, int shuffle, long seed, long splitSeed) {
    /** The largest seed: 2^31 - 1, so numpy, PyTorch, TF, R and a Java int all accept every seed. */
    public static final long MAX_SEED = Integer.MAX_VALUE;


    public static ReplicatePlan of(int index, int folds, long baseSeed) {
        if (index < 0 || folds < 2) {
            throw new IllegalArgumentException("index " + index + ", folds " + folds);
        }
        int shuffle = index / folds;
        return new ReplicatePlan(index, index % folds, shuffle,
                mix(baseSeed, 0x5EEDL + index) & MAX_SEED, mix(baseSeed, 0x5F1FF1EL + shuffle) & MAX_SEED);
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated seeds. */
    static long mix(long base, long salt) {
        long z = base + salt * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
