package org.modelpar.solver.partition;

import java.util.Arrays;
import java.util.Optional;

/**
 * The optimal placement of a DAG of blocks into k ordered stages that also chooses each stage's number of
 * data-parallel replicas, r_s >= 1 with {@code sum r_s = R}: PipeDream's replicated dynamic program
 * (Narayanan et al., SOSP 2019, section 3.1: stage i gets r_i replicas, the data-parallel "hybrid" plans)
 * over ideals instead of prefixes. Stage s takes replicas {@code [u - r, u)} of the R in order, so
 *
 * <p>{@code A[s][u][J] = min over ideals I strictly inside J and r in [1, u] of max(A[s-1][u-r][I], cost(s-1, u-r, r, I, J))},
 *
 * <p>{@code A[0][0][{}] = 0}, answer {@code A[k][R][all]}. O(k x R^2 x nested pairs) cost evaluations. Ties keep
 * the first choice in a fixed order (smaller inner ideal, then fewer replicas), so the result is deterministic.
 * Asked only for placements below a bound, the program skips the states that its cost's {@link Cost#work} shows cannot
 * lead below it (an A*-style bound: no optimal placement passes through them, so the result is the same).
 *
 * <p>Where a sender pays once per later receiving stage ({@link Cost#bottleneck}), the program runs on
 * {@link Cost#of} (each output sent once, a lower bound) and its placement is scored exactly; when the exact
 * score is higher, {@link LaterStageSearch} searches the placements (ideals and replicas) by branch and bound,
 * exact within its budget.
 */
public final class ReplicaPartitioner {
    /**
     * A placement with replicas.
     *
     * @param stageOfBlock     stage per block
     * @param replicasOfStage  replicas per stage, summing to R
     * @param bottleneck       the slowest stage's cost
     */
    public record Result(int[] stageOfBlock, int[] replicasOfStage, double bottleneck) {
        public Result {
            stageOfBlock = stageOfBlock.clone();
            replicasOfStage = replicasOfStage.clone();
        }

        @Override
        public int[] stageOfBlock() {
            return stageOfBlock.clone();
        }

        @Override
        public int[] replicasOfStage() {
            return replicasOfStage.clone();
        }
    }

    /** The cost of one stage on replicas {@code [first, first + replicas)} holding ideal {@code outer} minus {@code inner}. */
    @FunctionalInterface
    public interface Cost {
        /** @return non-negative cost, or positive infinity when not allowed (over memory, a replica count not allowed) */
        double of(int stage, int first, int replicas, int inner, int outer);

        /** A cheap lower bound of {@link #of}; 0 by default. */
        default double lowerBound(int stage, int first, int replicas, int inner, int outer) {
            return 0;
        }

        /**
         * A lower bound of the replica-time of the blocks of {@code ideal}, 0 at the empty ideal and summed over
         * blocks: a stage on r replicas holding {@code outer \ inner} has {@code r x of(...) >= work(outer) - work(inner)}
         * (its blocks' least compute times replicas). Stages holding J on u replicas in all then have a slowest stage
         * of at least {@code work(J) / u}, so the program skips every state whose placed part, or whose rest on the
         * replicas left, cannot be below the bound it is given. 0 by default (nothing skipped).
         */
        default double work(int ideal) {
            return 0;
        }

        /**
         * The slowest of the first {@code fixed} stages of a placement, at most its value over every way of
         * placing the rest, for a cost where a stage also pays for what later stages do
         * ({@link IdealPartitioner.Cost#bottleneck}; then {@link #of} must be a lower bound of the stage's cost
         * however the later stages are split). With {@code fixed = k} it is the placement's exact bottleneck.
         * By default the largest {@link #of} over the fixed stages.
         *
         * @param chain    nested ideals, stage s holds {@code chain[s+1] \ chain[s]}, at least {@code fixed + 1} of them
         * @param first    per stage, its first replica
         * @param replicas per stage, its replica count
         * @param fixed    stages placed so far
         */
        default double bottleneck(int[] chain, int[] first, int[] replicas, int fixed) {
            double worst = 0;
            for (int s = 0; s < fixed; s++) {
                worst = Math.max(worst, of(s, first[s], replicas[s], chain[s], chain[s + 1]));
            }
            return worst;
        }
    }

    private ReplicaPartitioner() {
    }

    /**
     * PipeDream's {@code A[from][J][R]} for every ideal J: the smallest bottleneck of the blocks of J minus
     * {@code from} placed on exactly R replicas in any number of ordered stages (stage indices and replicas
     * counted from the range's start), the program above started at {@code from} instead of the empty ideal.
     * PipeDream's hierarchical optimizer (SOSP 2019, section 3.1) uses it as the compute of a stage one network
     * level up ({@link PipeDreamCost#overMachines}). For a cost whose {@link Cost#of} is exact (no
     * {@link Cost#bottleneck} of its own). O(R^3 x nested pairs above {@code from}).
     *
     * @return per ideal, the bottleneck; positive infinity where J does not contain {@code from} or no placement
     *         is allowed, and at {@code from} itself
     */
    public static double[] bottleneckFrom(Ideals ideals, int from, int replicas, Cost cost) {
        if (replicas < 1) {
            throw new IllegalArgumentException("need at least 1 replica, got " + replicas);
        }
        int n = ideals.count();
        double[][][] best = new double[replicas + 1][replicas + 1][n];
        for (double[][] plane : best) {
            for (double[] row : plane) {
                Arrays.fill(row, Double.POSITIVE_INFINITY);
            }
        }
        best[0][0][from] = 0;
        double[] answer = new double[n];
        Arrays.fill(answer, Double.POSITIVE_INFINITY);
        for (int j = from + 1; j < n; j++) {
            if (!ideals.nested(from, j)) {
                continue;
            }
            for (int s = 1; s <= replicas; s++) {
                for (int u = s; u <= replicas; u++) {
                    double value = Double.POSITIVE_INFINITY;
                    for (int r = 1; r <= u - (s - 1); r++) {
                        double[] prefixes = best[s - 1][u - r];
                        for (int i : ideals.subsetsView(j)) {
                            if (prefixes[i] < value && cost.lowerBound(s - 1, u - r, r, i, j) < value) {
                                value = Math.min(value, Math.max(prefixes[i], cost.of(s - 1, u - r, r, i, j)));
                            }
                        }
                    }
                    best[s][u][j] = value;
                }
                answer[j] = Math.min(answer[j], best[s][replicas][j]);
            }
        }
        return answer;
    }

    /** Whether a choice whose value is at least {@code bound} cannot replace the stored one of value {@code current}. */
    private static boolean noBetter(double bound, double current, int i, int r, int storedInner, int storedReplicas) {
        return bound > current || bound == current && !before(i, r, storedInner, storedReplicas);
    }

    /** Whether the choice (inner ideal i, r replicas) comes before the stored one (0 replicas: none stored). */
    private static boolean before(int i, int r, int storedInner, int storedReplicas) {
        return storedReplicas == 0 || i < storedInner || i == storedInner && r < storedReplicas;
    }

    /**
     * @param ideals   the ideals of the block DAG
     * @param stages   k, {@code 1 <= k <= min(blocks, replicas)}
     * @param replicas R, the replicas to share out
     * @param cost     stage cost
     * @return the optimal placement, or empty when every placement has a forbidden stage
     */
    public static Optional<Result> minimizeBottleneck(Ideals ideals, int stages, int replicas, Cost cost) {
        return minimizeBottleneck(ideals, stages, replicas, cost, IdealPartitioner.SEARCH_NODES, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #minimizeBottleneck(Ideals, int, int, Cost)}, with at most {@code searchNodes} partial placements
     * visited by {@link LaterStageSearch} (0: the program's placement, scored exactly, without search), and only
     * placements whose bottleneck is strictly below {@code below}: a caller that keeps a placement only when it
     * beats one it has passes that one's bottleneck, and the program never extends a prefix that is not below
     * it (the optimum below the bound is the same placement, found with less work).
     *
     * @return the optimal placement below the bound, or empty when there is none
     */
    public static Optional<Result> minimizeBottleneck(Ideals ideals, int stages, int replicas, Cost cost, int searchNodes,
                                                      double below) {
        if (stages < 1 || stages > ideals.blocks() || stages > replicas) {
            throw new IllegalArgumentException("need 1 <= stages <= min(blocks, replicas), got stages=" + stages
                    + " blocks=" + ideals.blocks() + " replicas=" + replicas);
        }
        // R x the slowest stage is at least the work of all blocks
        double total = cost.work(ideals.full());
        if (total / replicas >= below) {
            return Optional.empty();
        }
        int n = ideals.count();
        double[][][] best = new double[stages + 1][replicas + 1][n];
        int[][][] cut = new int[stages + 1][replicas + 1][n];
        int[][][] used = new int[stages + 1][replicas + 1][n];
        for (double[][] plane : best) {
            for (double[] row : plane) {
                Arrays.fill(row, below);
            }
        }
        best[0][0][0] = 0;
        for (int s = 1; s <= stages; s++) {
            // the remaining stages need a replica each
            int uFrom = s == stages ? replicas : s;
            int uTo = replicas - (stages - s);
            for (int u = uFrom; u <= uTo; u++) {
                double[] row = best[s][u];
                for (int j = s == stages ? ideals.full() : 1; j < n; j++) {
                    // J on u replicas, or the rest on the others, no faster than their work allows: the state stays
                    // unreached (its value could not be below the bound), and no optimal placement passes through it
                    double placed = cost.work(j);
                    if (placed / u >= below || s < stages && (total - placed) / (replicas - u) >= below) {
                        continue;
                    }
                    // replica count outer, so each prefix row is read in order; ties go to the smaller inner
                    // ideal, then fewer replicas, as if the inner ideal were the outer loop
                    for (int r = 1; r <= u - (s - 1); r++) {
                        double[] prefixes = best[s - 1][u - r];
                        for (int i : ideals.subsetsView(j)) {
                            double prefix = prefixes[i];
                            double current = row[j];
                            if (prefix >= below || noBetter(prefix, current, i, r, cut[s][u][j], used[s][u][j])) {
                                continue;
                            }
                            // the stage's work on its r replicas first: it skips pricing replica ranges that cannot help
                            if (noBetter((placed - cost.work(i)) / r, current, i, r, cut[s][u][j], used[s][u][j])
                                    || noBetter(cost.lowerBound(s - 1, u - r, r, i, j), current, i, r, cut[s][u][j], used[s][u][j])) {
                                continue;
                            }
                            double value = Math.max(prefix, cost.of(s - 1, u - r, r, i, j));
                            if (value < current || value == current && before(i, r, cut[s][u][j], used[s][u][j])) {
                                row[j] = value;
                                cut[s][u][j] = i;
                                used[s][u][j] = r;
                            }
                        }
                    }
                }
            }
        }
        double bottleneck = best[stages][replicas][ideals.full()];
        if (bottleneck >= below || bottleneck == Double.POSITIVE_INFINITY) {
            return Optional.empty();
        }
        int[] chain = new int[stages + 1];
        int[] firstOf = new int[stages];
        int[] replicasOf = new int[stages];
        chain[stages] = ideals.full();
        int u = replicas;
        for (int s = stages; s >= 1; s--) {
            chain[s - 1] = cut[s][u][chain[s]];
            replicasOf[s - 1] = used[s][u][chain[s]];
            u -= replicasOf[s - 1];
            firstOf[s - 1] = u;
        }
        LaterStageSearch.Placement placement = new LaterStageSearch.Placement(chain, firstOf, replicasOf);
        double exact = cost.bottleneck(chain, firstOf, replicasOf, stages);
        if (exact > bottleneck) {
            placement = LaterStageSearch.improve(ideals, cost, replicas, placement, Math.min(exact, below), searchNodes);
            exact = cost.bottleneck(placement.chain(), placement.first(), placement.replicas(), stages);
        }
        if (exact >= below) {
            return Optional.empty();
        }
        return Optional.of(new Result(IdealPartitioner.stageOf(ideals, placement.chain()), placement.replicas(), exact));
    }
}
