package org.modelpar.solver.timefold;

import java.util.Optional;
import org.modelpar.solver.partition.ChainPartition;
import org.modelpar.solver.partition.ChainPartitioner;
import org.modelpar.solver.partition.Ideals;
import org.modelpar.solver.partition.StageCost;

/**
 * The dynamic program's view of a placement problem: blocks in chain order split into contiguous stages,
 * scored exactly as {@link PlacementConstraints} scores them (stage time including the transfers entering
 * and leaving it; infinity when the stage exceeds its memory). Seeds Timefold and is the chain baseline.
 */
public final class ChainSeed {
    private ChainSeed() {
    }

    /** The optimal contiguous split into all the problem's stages, or empty when none fits in memory. */
    public static Optional<ChainPartition> optimal(PlacementProblem problem) {
        return optimal(problem, stageCost(problem));
    }

    /**
     * The optimal contiguous split in which every pinned block lies in its stage ({@code pinnedStage[b]},
     * -1 for a free block), or empty when none fits.
     */
    public static Optional<ChainPartition> optimal(PlacementProblem problem, int[] pinnedStage) {
        return optimal(problem, pinned(pinnedStage, stageCost(problem)));
    }

    /**
     * The optimal contiguous split by {@code cost}, the problem's {@link #stageCost} (or one equal to it, made from
     * ideals and a frontier that serve several problems), or empty when none fits.
     */
    public static Optional<ChainPartition> optimal(PlacementProblem problem, StageCost cost) {
        int k = problem.stages().size();
        int n = problem.blocks().size();
        if (k > n) {
            return Optional.empty();
        }
        return ChainPartitioner.minimizeBottleneck(n, k, cost);
    }

    /** The cost, infinite for a stage that holds a block pinned to another ({@code pinnedStage[b]}, -1 for a free block). */
    public static StageCost pinned(int[] pinnedStage, StageCost cost) {
        return (s, from, to) -> {
            for (int b = from; b < to; b++) {
                if (pinnedStage[b] >= 0 && pinnedStage[b] != s) {
                    return Double.POSITIVE_INFINITY;
                }
            }
            return cost.seconds(s, from, to);
        };
    }

    /**
     * Stage time in nanoseconds (as a double) of blocks {@code [from, to)} on stage s: {@link SplitCost}
     * over the prefixes of the block order (every prefix of a topological order is an ideal).
     */
    public static StageCost stageCost(PlacementProblem problem) {
        return new SplitCost(problem, Ideals.prefixes(problem.blocks().size()))::of;
    }
}
