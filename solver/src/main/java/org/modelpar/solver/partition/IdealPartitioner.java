package org.modelpar.solver.partition;

import java.util.Arrays;
import java.util.Optional;

/**
 * The optimal placement of a DAG of blocks into exactly k ordered, non-empty stages minimizing the slowest
 * stage, where every tensor goes to the same or a later stage: the dynamic program over ideals of PipeDream
 * (Narayanan et al., SOSP 2019, section 3.1) and Tarnawski et al. ("Efficient Algorithms for Device
 * Placement of DNN Graph Operators", NeurIPS 2020, section 4). The first s stages form an ideal, so
 *
 * <p>{@code A[s][J] = min over ideals I strictly inside J of max(A[s-1][I], cost(s-1, I, J))}, {@code A[0][{}] = 0},
 *
 * <p>and the answer is {@code A[k][all]}. O(k x nested pairs) cost evaluations ({@link Ideals#pairs()}); on a
 * chain the ideals are the prefixes and this is {@link ChainPartitioner}'s program. For each ideal the
 * best cut of the ideal it extends is tried first, so that the cheap {@link Cost#lowerBound} skips most
 * pairs; ties keep the first cut found in this fixed order, so the result is deterministic.
 */
public final class IdealPartitioner {
    /**
     * A placement into stages.
     *
     * @param stageOfBlock stage per block
     * @param bottleneck   the slowest stage's cost, in the unit of the stage cost
     */
    public record Result(int[] stageOfBlock, double bottleneck) {
        public Result {
            stageOfBlock = stageOfBlock.clone();
        }

        @Override
        public int[] stageOfBlock() {
            return stageOfBlock.clone();
        }
    }

    /**
     * The cost of one stage holding the blocks of ideal {@code outer} that are not in ideal {@code inner}.
     */
    @FunctionalInterface
    public interface Cost {
        /**
         * @param stage pipeline position, 0-based
         * @param inner ideal index of the blocks on earlier stages
         * @param outer ideal index of the blocks on this and earlier stages; strictly contains {@code inner}
         * @return non-negative cost, or positive infinity when the stage is not allowed (e.g. over memory)
         */
        double of(int stage, int inner, int outer);

        /**
         * A lower bound of {@link #of} that is cheap to evaluate (the program skips a stage whose bound
         * cannot improve on the best found); 0 by default.
         */
        default double lowerBound(int stage, int inner, int outer) {
            return 0;
        }
    }

    private IdealPartitioner() {
    }

    /**
     * @param ideals the ideals of the block DAG
     * @param stages number of stages k, {@code 1 <= k <= blocks}
     * @param cost   stage cost
     * @return the optimal placement, or empty when every placement has a forbidden stage
     * @throws IllegalArgumentException when k is outside {@code [1, blocks]}
     */
    public static Optional<Result> minimizeBottleneck(Ideals ideals, int stages, Cost cost) {
        if (stages < 1 || stages > ideals.blocks()) {
            throw new IllegalArgumentException("need 1 <= stages <= blocks, got stages=" + stages + " blocks=" + ideals.blocks());
        }
        int n = ideals.count();
        double[][] best = new double[stages + 1][n];
        int[][] cut = new int[stages + 1][n];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int s = 1; s <= stages; s++) {
            // only the full ideal matters after the last stage
            int from = s == stages ? ideals.full() : 1;
            for (int j = from; j < n; j++) {
                // incumbent first: the cut that was best for the ideal this one extends by a block
                int parent = ideals.parent(j);
                if (best[s][parent] < Double.POSITIVE_INFINITY) {
                    int i = cut[s][parent];
                    best[s][j] = Math.max(best[s - 1][i], cost.of(s - 1, i, j));
                    cut[s][j] = i;
                }
                for (int i : ideals.subsetsView(j)) {
                    double prefix = best[s - 1][i];
                    if (prefix >= best[s][j] || cost.lowerBound(s - 1, i, j) >= best[s][j]) {
                        continue;
                    }
                    double value = Math.max(prefix, cost.of(s - 1, i, j));
                    if (value < best[s][j]) {
                        best[s][j] = value;
                        cut[s][j] = i;
                    }
                }
            }
        }
        double bottleneck = best[stages][ideals.full()];
        if (bottleneck == Double.POSITIVE_INFINITY) {
            return Optional.empty();
        }
        int[] stageOf = new int[ideals.blocks()];
        int outer = ideals.full();
        for (int s = stages; s >= 1; s--) {
            int inner = cut[s][outer];
            for (int b = 0; b < stageOf.length; b++) {
                if (ideals.contains(outer, b) && !ideals.contains(inner, b)) {
                    stageOf[b] = s - 1;
                }
            }
            outer = inner;
        }
        return Optional.of(new Result(stageOf, bottleneck));
    }
}
