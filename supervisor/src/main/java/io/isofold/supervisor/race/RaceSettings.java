package io.isofold.supervisor.race;

import java.util.Locale;

/**
 * How a run races its variants ({@code --race}): decisions start once every variant still racing has
 * {@code burnIn} replicates settled, and a variant is dropped when its one-sided paired p against the
 * current best is below {@code alpha}. run.json records it as {@code "race": {"burn_in": 3, "alpha": 0.05}}.
 */
public record RaceSettings(int burnIn, double alpha) {
    public static final int DEFAULT_BURN_IN = 3;
    public static final double DEFAULT_ALPHA = 0.05;
    public static final RaceSettings DEFAULT = new RaceSettings(DEFAULT_BURN_IN, DEFAULT_ALPHA);

    /** @throws IllegalArgumentException with a one-line reason that names the option */
    public RaceSettings {
        if (burnIn < 2) {
            // a paired test needs two pairs to see any spread; one fold would decide on a single draw
            throw new IllegalArgumentException("--race-burn-in must be at least 2, got " + burnIn);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("--race-alpha must be between 0 and 1 (exclusive), got "
                    + String.format(Locale.ROOT, "%s", alpha));
        }
    }
}
