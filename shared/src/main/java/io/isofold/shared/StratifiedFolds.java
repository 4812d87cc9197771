package io.isofold.shared;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Stratified k-fold assignment: each class is shuffled with the shuffle seed and dealt round-robin
 * over the folds, continuing the deal from class to class so fold sizes differ by at most one. Both
 * the supervisor and the worker call it, so they agree on which example is in which fold.
 */
public final class StratifiedFolds {
    private StratifiedFolds() {}

    /** Returns the fold of every example, in the order of {@code labels}. */
    public static int[] assign(int[] labels, int folds, long shuffleSeed) {
        if (folds < 2) {
            throw new IllegalArgumentException("folds must be at least 2, got " + folds);
        }
        if (labels.length < folds) {
            throw new IllegalArgumentException(labels.length + " examples cannot fill " + folds + " folds");
        }
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], c -> new ArrayList<>()).add(i);
        }
        SplittableRandom random = new SplittableRandom(shuffleSeed);
        int[] fold = new int[labels.length];
        int next = 0;
        for (List<Integer> members : byClass.values()) {
            for (int i = members.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            for (int member : members) {
                fold[member] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }
}
