package io.isofold.supervisor.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * What each attempt of the chaos test's worker does, and when the test SIGKILLs the supervisor, all
 * drawn from one seed: the same seed gives the same plan on any machine. The worker
 * (src/test/resources/chaosworker.sh) reads its mode from the file {@link #write} writes.
 *
 * <p>About a third of the replicates misbehave on their first two attempts, each in one of the ways
 * the watchdogs know. Three more misbehave on attempts 1 to {@value #CHAIN_ATTEMPTS} whatever happens:
 * one hangs, one takes too much memory, one crashes. When the kills land among the attempts is up to
 * the machine, not the seed; but a SIGKILL leaves unjudged only what runs at that moment (recorded
 * {@code supervisor-lost} on resume), which is at most one attempt of each replicate. With at most
 * {@value #KILLS} kills, each of those three replicates has an attempt that a supervisor watched to its
 * end, whenever the kills land: every run sees a timeout and a failure, and a memory kill unless the
 * machine is so loaded that every memory hog was still below the limit when its time ran out.
 */
final class ChaosPlan {
    static final int KILLS = 3;
    static final int CHAIN_ATTEMPTS = KILLS + 1;
    private static final List<String> MODES = List.of("hang", "crash", "memory", "grandchild", "garbage");

    private final long seed;
    /** "replicate attempt" to mode; an attempt not named is "ok". */
    private final Map<String, String> modes = new TreeMap<>();
    private final List<Long> killDelaysMillis = new ArrayList<>();

    private ChaosPlan(long seed) {
        this.seed = seed;
    }

    static ChaosPlan draw(long seed, int replicates) {
        ChaosPlan plan = new ChaosPlan(seed);
        Random random = new Random(seed);
        List<Integer> order = new ArrayList<>(IntStream.range(0, replicates).boxed().toList());
        Collections.shuffle(order, random);
        List<String> chains = List.of("hang", "memory", "crash");
        for (int i = 0; i < order.size(); i++) {
            int r = order.get(i);
            if (i < chains.size()) {
                for (int a = 1; a <= CHAIN_ATTEMPTS; a++) {
                    plan.modes.put(key(r, a), chains.get(i));
                }
                continue;
            }
            for (int a = 1; a <= 2; a++) {
                if (random.nextInt(3) == 0) {
                    plan.modes.put(key(r, a), MODES.get(random.nextInt(MODES.size())));
                }
            }
        }
        for (int k = 0; k < KILLS; k++) {
            plan.killDelaysMillis.add(1500L + random.nextInt(3500));
        }
        return plan;
    }

    long seed() {
        return seed;
    }

    String mode(int replicate, int attempt) {
        return modes.getOrDefault(key(replicate, attempt), "ok");
    }

    /** How long each supervisor runs before the test kills it. */
    List<Long> killDelaysMillis() {
        return killDelaysMillis;
    }

    /**
     * The verdicts a supervisor that watches an attempt of {@code mode} to its end may give it: one,
     * but for a memory hog, which a loaded machine can keep below the limit until its time is up.
     */
    static Set<String> verdicts(String mode) {
        return switch (mode) {
            case "hang" -> Set.of("timeout");
            case "memory" -> Set.of("memory", "timeout");
            case "crash", "garbage" -> Set.of("failed");
            case "ok", "grandchild" -> Set.of("completed");
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** Writes the plan as chaosworker.sh reads it: "REPLICATE ATTEMPT MODE" lines. */
    Path write(Path file) throws IOException {
        StringBuilder lines = new StringBuilder();
        modes.forEach((key, mode) -> lines.append(key).append(' ').append(mode).append('\n'));
        return Files.writeString(file, lines);
    }

    private static String key(int replicate, int attempt) {
        return replicate + " " + attempt;
    }
}
