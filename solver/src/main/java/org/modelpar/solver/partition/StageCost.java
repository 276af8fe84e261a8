package org.modelpar.solver.partition;

/**
 * The time of one pipeline stage that holds the contiguous blocks {@code [from, to)} of a chain.
 * Returns {@link Double#POSITIVE_INFINITY} when the stage is not allowed (e.g. it does not fit in its
 * device's memory).
 */
@FunctionalInterface
public interface StageCost {
    /**
     * @param stage pipeline position, 0-based (lets heterogeneous stages and per-stage memory rules differ)
     * @param from  first block, inclusive
     * @param to    last block, exclusive; {@code to > from}
     * @return seconds, non-negative, or positive infinity when forbidden
     */
    double seconds(int stage, int from, int to);
}
