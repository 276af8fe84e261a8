package org.modelpar.solver.timefold;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.modelpar.solver.partition.ChainPartition;
import org.modelpar.solver.partition.ChainPartitioner;
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
        int k = problem.stages().size();
        int n = problem.blocks().size();
        if (k > n) {
            return Optional.empty();
        }
        return ChainPartitioner.minimizeBottleneck(n, k, stageCost(problem));
    }

    /**
     * The optimal contiguous split in which every pinned block lies in its stage ({@code pinnedStage[b]},
     * -1 for a free block), or empty when none fits.
     */
    public static Optional<ChainPartition> optimal(PlacementProblem problem, int[] pinnedStage) {
        int k = problem.stages().size();
        int n = problem.blocks().size();
        if (k > n) {
            return Optional.empty();
        }
        StageCost cost = stageCost(problem);
        return ChainPartitioner.minimizeBottleneck(n, k, (s, from, to) -> {
            for (int b = from; b < to; b++) {
                if (pinnedStage[b] >= 0 && pinnedStage[b] != s) {
                    return Double.POSITIVE_INFINITY;
                }
            }
            return cost.seconds(s, from, to);
        });
    }

    /**
     * Stage time in nanoseconds (as a double) of blocks {@code [from, to)} on stage s. O(1) per call when
     * every link joins consecutive blocks, else proportional to the links leaving and entering the range.
     */
    public static StageCost stageCost(PlacementProblem problem) {
        int n = problem.blocks().size();
        int k = problem.stages().size();
        long[][] time = new long[k][n + 1];
        long[][] memory = new long[k][n + 1];
        for (int s = 0; s < k; s++) {
            for (int b = 0; b < n; b++) {
                Block block = problem.blocks().get(b);
                time[s][b + 1] = time[s][b] + block.stageNanos(s);
                memory[s][b + 1] = memory[s][b] + block.memoryBytes()[s];
            }
        }
        List<List<BlockLink>> out = new ArrayList<>();
        List<List<BlockLink>> in = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            out.add(new ArrayList<>());
            in.add(new ArrayList<>());
        }
        for (BlockLink l : problem.links()) {
            out.get(l.from()).add(l);
            in.get(l.to()).add(l);
        }
        boolean consecutive = problem.links().stream().allMatch(l -> l.to() == l.from() + 1);
        return (s, from, to) -> {
            StageSlot stage = problem.stages().get(s);
            if (memory[s][to] - memory[s][from] > stage.capacityBytes()) {
                return Double.POSITIVE_INFINITY;
            }
            long nanos = time[s][to] - time[s][from];
            // a chain only crosses at its two ends; a DAG needs every block of the range
            int scanFrom = consecutive ? Math.max(from, to - 1) : from;
            for (int b = scanFrom; b < to; b++) {
                for (BlockLink l : out.get(b)) {
                    if (l.to() >= to) {
                        nanos += l.sendNanos(stage);
                    }
                }
            }
            int scanTo = consecutive ? from + 1 : to;
            for (int b = from; b < scanTo; b++) {
                for (BlockLink l : in.get(b)) {
                    if (l.from() < from) {
                        nanos += l.receiveNanos(stage);
                    }
                }
            }
            return nanos;
        };
    }
}
