package org.modelpar.solver.partition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The optimal split of a chain of blocks into exactly k contiguous, non-empty stages minimizing the
 * slowest stage: the dynamic program of PipeDream (Narayanan et al., "PipeDream: Generalized Pipeline
 * Parallelism for DNN Training", SOSP 2019, section 3.1) restricted to one replica per stage, with a
 * stage cost that may depend on the stage (heterogeneous devices, per-stage memory limits).
 *
 * <p>{@code A[s][j]} = the smallest bottleneck of blocks {@code [0, j)} in {@code s} stages;
 * {@code A[s][j] = min_i max(A[s-1][i], cost(s-1, i, j))}. O(k n^2) cost evaluations. Ties keep the
 * earliest cut, so the result is deterministic.
 */
public final class ChainPartitioner {
    private ChainPartitioner() {
    }

    /**
     * @param blocks number of blocks n, at least 1
     * @param stages number of stages k, {@code 1 <= k <= n}
     * @param cost   stage cost; infinity forbids a stage
     * @return the optimal partition, or empty when every split has a forbidden stage
     * @throws IllegalArgumentException when k is outside {@code [1, n]}
     */
    public static Optional<ChainPartition> minimizeBottleneck(int blocks, int stages, StageCost cost) {
        if (blocks < 1 || stages < 1 || stages > blocks) {
            throw new IllegalArgumentException("need 1 <= stages <= blocks, got stages=" + stages + " blocks=" + blocks);
        }
        double[][] best = new double[stages + 1][blocks + 1];
        int[][] cut = new int[stages + 1][blocks + 1];
        for (double[] row : best) {
            java.util.Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int s = 1; s <= stages; s++) {
            // the remaining stages - s stages need at least one block each
            int lastEnd = blocks - (stages - s);
            for (int j = s; j <= lastEnd; j++) {
                for (int i = s - 1; i < j; i++) {
                    double prefix = best[s - 1][i];
                    if (prefix == Double.POSITIVE_INFINITY || prefix >= best[s][j]) {
                        continue;
                    }
                    double value = Math.max(prefix, cost.seconds(s - 1, i, j));
                    if (value < best[s][j]) {
                        best[s][j] = value;
                        cut[s][j] = i;
                    }
                }
            }
        }
        if (best[stages][blocks] == Double.POSITIVE_INFINITY) {
            return Optional.empty();
        }
        List<Integer> boundaries = new ArrayList<>();
        int end = blocks;
        for (int s = stages; s >= 1; s--) {
            boundaries.add(end);
            end = cut[s][end];
        }
        boundaries.add(0);
        Collections.reverse(boundaries);
        return Optional.of(ChainPartition.straight(boundaries, best[stages][blocks]));
    }

    /** A stage cost that sums per-block seconds through prefix sums (free communication, one device type). */
    public static StageCost summed(double[] blockSeconds) {
        double[] prefix = new double[blockSeconds.length + 1];
        for (int b = 0; b < blockSeconds.length; b++) {
            prefix[b + 1] = prefix[b] + blockSeconds[b];
        }
        return (stage, from, to) -> prefix[to] - prefix[from];
    }
}
