package org.modelpar.solver.partition;

import java.util.List;

/**
 * A split of a chain of blocks into contiguous stages.
 *
 * @param boundaries        stage s holds blocks {@code [boundaries[s], boundaries[s+1])}; starts at 0, strictly
 *                          increasing, ends at the block count
 * @param replicas          data-parallel replicas per stage (all 1 for a straight pipeline)
 * @param bottleneck        the objective the partitioner minimized (slowest stage or boundary), in the unit of the
 *                          stage cost (seconds, nanoseconds or bytes)
 */
public record ChainPartition(List<Integer> boundaries, List<Integer> replicas, double bottleneck) {
    public ChainPartition {
        boundaries = List.copyOf(boundaries);
        replicas = List.copyOf(replicas);
        if (boundaries.size() < 2 || boundaries.get(0) != 0) {
            throw new IllegalArgumentException("boundaries must start at 0 and hold at least one stage, got " + boundaries);
        }
        for (int s = 1; s < boundaries.size(); s++) {
            if (boundaries.get(s) <= boundaries.get(s - 1)) {
                throw new IllegalArgumentException("stage " + (s - 1) + " is empty or reversed in " + boundaries);
            }
        }
        if (replicas.size() != boundaries.size() - 1 || replicas.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("need one replica count >= 1 per stage, got " + replicas);
        }
    }

    /** A straight pipeline (one replica per stage). */
    public static ChainPartition straight(List<Integer> boundaries, double bottleneck) {
        return new ChainPartition(boundaries, java.util.Collections.nCopies(boundaries.size() - 1, 1), bottleneck);
    }

    public int stages() {
        return boundaries.size() - 1;
    }

    public int blocks() {
        return boundaries.get(boundaries.size() - 1);
    }

    /** Stage index per block. */
    public int[] stageOfBlock() {
        int[] stageOf = new int[blocks()];
        for (int s = 0; s < stages(); s++) {
            for (int b = boundaries.get(s); b < boundaries.get(s + 1); b++) {
                stageOf[b] = s;
            }
        }
        return stageOf;
    }

    /** The largest {@code cost} over this partition's stages. */
    public double evaluate(StageCost cost) {
        double worst = 0;
        for (int s = 0; s < stages(); s++) {
            worst = Math.max(worst, cost.seconds(s, boundaries.get(s), boundaries.get(s + 1)));
        }
        return worst;
    }
}
