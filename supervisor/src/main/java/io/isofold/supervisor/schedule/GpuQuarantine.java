package io.isofold.supervisor.schedule;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a GPU's failures say something about the GPU, or only about the work it was given. A GPU that
 * fails fast frees its slot at once and would otherwise take replicate after replicate until the budget is
 * gone; but a replicate that crashes on its own (a bug in one fold's data) fails wherever it runs, and must
 * not take a healthy GPU out for the night.
 *
 * <p>A GPU is quarantined after {@value #AFTER} failures in a row on it (crashes and bad results; a limit,
 * a stop or a bad task says nothing of a GPU) while the other GPUs failed at most once in their recent
 * attempts, and only on evidence against the GPU itself: a replicate that failed on it completed on
 * another GPU; or the failures in a row were of {@value #AFTER} different replicates while another GPU
 * completes work (or of {@value #WITHOUT_COMPLETIONS} different replicates, when no other GPU has completed
 * anything yet: long attempts elsewhere must not leave a black hole open for hours). Never the last GPU:
 * then the worker, not the GPU, is the likelier culprit.
 *
 * <p>Pure and single-threaded, like {@link RunState}, which owns it.
 */
final class GpuQuarantine {
    /** Failures in a row on one GPU that may take it out. */
    static final int AFTER = 3;
    /** Different replicates failed in a row on a GPU that take it out even before another GPU completed anything. */
    static final int WITHOUT_COMPLETIONS = 6;
    /** How many recent attempts per GPU the comparison with the other GPUs looks at. */
    private static final int RECENT = 5;

    /** A GPU to take out, and why. */
    record Verdict(String gpu, String reason) {}

    private final Map<String, Deque<Boolean>> recentFailed = new HashMap<>();
    private final Map<String, List<Integer>> streak = new HashMap<>();
    /** Per GPU: replicates that failed on it and completed on another. */
    private final Map<String, Set<Integer>> completedElsewhere = new HashMap<>();

    /**
     * An attempt of {@code replicate} on {@code gpu} failed ({@code failed}) or completed. Returns the GPU this
     * makes the case against, if any: the one it failed on, or, for a completion, a GPU the replicate had
     * failed on before.
     *
     * @param failedOnBefore the GPUs the replicate had failed on before this attempt
     * @param usable         the GPUs still in the run (not quarantined, not CPU)
     */
    Optional<Verdict> observe(String gpu, int replicate, boolean failed, Collection<String> failedOnBefore,
            Collection<String> usable) {
        Deque<Boolean> recent = recentFailed.computeIfAbsent(gpu, g -> new ArrayDeque<>());
        recent.addLast(failed);
        if (recent.size() > RECENT) {
            recent.removeFirst();
        }
        if (failed) {
            streak.computeIfAbsent(gpu, g -> new ArrayList<>()).add(replicate);
            return judge(gpu, usable);
        }
        streak.remove(gpu);
        for (String before : failedOnBefore) {
            if (!before.equals(gpu)) {
                completedElsewhere.computeIfAbsent(before, g -> new LinkedHashSet<>()).add(replicate);
                Optional<Verdict> v = judge(before, usable);
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Verdict> judge(String gpu, Collection<String> usable) {
        List<Integer> inARow = streak.getOrDefault(gpu, List.of());
        if (inARow.size() < AFTER || !usable.contains(gpu)) {
            return Optional.empty();
        }
        List<String> others = usable.stream().filter(g -> !g.equals(gpu)).toList();
        if (others.isEmpty()) {
            return Optional.empty();
        }
        int otherFailures = 0;
        boolean othersComplete = false;
        for (String o : others) {
            for (boolean f : recentFailed.getOrDefault(o, new ArrayDeque<>())) {
                otherFailures += f ? 1 : 0;
                othersComplete |= !f;
            }
        }
        if (otherFailures > 1) {
            return Optional.empty();
        }
        Set<Integer> distinct = new LinkedHashSet<>(inARow);
        Set<Integer> elsewhere = new LinkedHashSet<>(completedElsewhere.getOrDefault(gpu, Set.of()));
        elsewhere.retainAll(distinct);
        String evidence;
        if (!elsewhere.isEmpty()) {
            evidence = "replicate " + elsewhere.iterator().next() + " failed there and completed on another GPU";
        } else if (distinct.size() >= AFTER && othersComplete || distinct.size() >= WITHOUT_COMPLETIONS) {
            evidence = distinct.size() + " different replicates failed there while the other GPUs did not fail";
        } else {
            return Optional.empty(); // one replicate's own failures are its own
        }
        return Optional.of(new Verdict(gpu, inARow.size() + " attempts in a row failed on GPU " + gpu + "; " + evidence));
    }
}
