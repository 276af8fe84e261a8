package org.modelpar.solver.timefold;

/**
 * How long and how Timefold's local search runs.
 *
 * <p>Determinism: the search stops after {@code stepLimit} steps, {@code unimprovedStepLimit} steps
 * without a better score, or {@code moveLimit} evaluated moves, whichever comes first; with the same seed all
 * three are reproducible (a step may evaluate many moves before one is accepted, so the move budget is what
 * bounds the work). No wall clock: the same problem gives the same placement on any machine.
 *
 * @param seed                random seed
 * @param stepLimit           local-search steps at most
 * @param unimprovedStepLimit local-search steps without improvement before stopping
 * @param moveLimit           evaluated moves at most
 */
public record PlacerSettings(long seed, int stepLimit, int unimprovedStepLimit, long moveLimit) {
    public PlacerSettings {
        if (stepLimit < 0 || unimprovedStepLimit < 1 || moveLimit < 1) {
            throw new IllegalArgumentException("need stepLimit >= 0, unimprovedStepLimit >= 1 and moveLimit >= 1, got "
                    + stepLimit + ", " + unimprovedStepLimit + ", " + moveLimit);
        }
    }

    /** Defaults: 2,000 steps, 300 unimproved, 5,000 moves. */
    public static PlacerSettings defaults(long seed) {
        return new PlacerSettings(seed, 2_000, 300, 5_000);
    }

    /**
     * For DAG block graphs, where the DP's block order is only one of many and a step evaluates a move per
     * block and stage: 2,000 steps, 300 unimproved, 100,000 moves.
     */
    public static PlacerSettings forDag(long seed) {
        return new PlacerSettings(seed, 2_000, 300, 100_000);
    }
}
