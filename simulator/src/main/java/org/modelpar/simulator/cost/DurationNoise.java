package org.modelpar.simulator.cost;

import java.util.Arrays;

/**
 * How much each compute instruction's duration varies about its price: every compute instruction of a simulated step
 * takes its price times a factor drawn, independently and with {@code seed}, from {@code factors} (a measured
 * spread; {@link #NONE}: exactly its price). Durations that vary on their own make a step with synchronisation points
 * (a pipeline's messages, a collective's members) longer than the same step at each duration's median: every wait
 * lasts until the later of its two sides (Dean and Barroso, "The tail at scale", CACM 2013).
 *
 * @param factors the factors to draw from, each finite and positive; none for no variation
 * @param seed    the draws' seed: the same seed gives the same durations
 */
public record DurationNoise(double[] factors, long seed) {
    /** No variation. */
    public static final DurationNoise NONE = new DurationNoise(new double[0], 0);

    public DurationNoise {
        factors = factors.clone();
        for (int i = 0; i < factors.length; i++) {
            if (!(factors[i] > 0) || Double.isInfinite(factors[i])) {
                throw new IllegalArgumentException("duration factor " + i + " must be finite and positive, got " + factors[i]);
            }
        }
    }

    /** Whether durations vary. */
    public boolean varies() {
        return factors.length > 0;
    }

    /** The same factors, drawn with {@code otherSeed}. */
    public DurationNoise withSeed(long otherSeed) {
        return new DurationNoise(factors, otherSeed);
    }

    /** The factors (a copy). */
    @Override
    public double[] factors() {
        return factors.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DurationNoise n && seed == n.seed && Arrays.equals(factors, n.factors);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(factors) + Long.hashCode(seed);
    }

    @Override
    public String toString() {
        return "DurationNoise[" + factors.length + " factors, seed " + seed + "]";
    }
}
