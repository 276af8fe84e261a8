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
 *
 * <p>When a stage's cost also depends on the later stages ({@link Cost#bottleneck}: a sender pays once per
 * later stage that receives its output), the program above runs on {@link Cost#of}, a lower bound of each
 * stage's cost, and its placement is scored exactly; when the exact score is higher, {@link LaterStageSearch}
 * searches the chains of ideals by branch and bound, with this program run backwards as the bound of the
 * stages still to place.
 */
public final class IdealPartitioner {
    /** The most partial chains {@link LaterStageSearch} visits by default. */
    public static final int SEARCH_NODES = 200_000;

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

        /**
         * A position in {@link Ideals#subsetsOf}{@code (outer)} before which every inner ideal's {@link #lowerBound}
         * is at least {@code bar}: the program starts its scan there. 0 by default.
         */
        default int firstInner(int stage, int outer, double bar) {
            return 0;
        }

        /**
         * A lower bound of the slowest of {@code stages} stages that together hold the blocks of ideal {@code outer}
         * not in ideal {@code inner}, however they split them (e.g. their least total compute over {@code stages}):
         * with a bound {@code below}, the program skips an ideal that its stages so far, or the stages left, cannot
         * hold below it. 0 by default.
         */
        default double spreadBound(int inner, int outer, int stages) {
            return 0;
        }

        /**
         * The slowest stage of a placement whose first {@code fixed} stages are {@code chain[s+1] \ chain[s]},
         * at most its value over every way of placing the rest: for a cost where a stage also pays for what
         * later stages do (a sender pays once per later stage receiving its output, {@code SplitCost}), this
         * is where that part is charged, and {@link #of} must be a lower bound of the stage's cost however
         * the later stages are split. With {@code fixed = k} and {@code chain[k]} the full ideal it is the
         * placement's exact bottleneck. By default a stage's cost depends on the stage alone: the largest
         * {@link #of} over the fixed stages.
         *
         * @param chain nested ideals, {@code chain[0]} empty, at least {@code fixed + 1} of them
         * @param fixed stages placed so far
         */
        default double bottleneck(int[] chain, int fixed) {
            double worst = 0;
            for (int s = 0; s < fixed; s++) {
                worst = Math.max(worst, of(s, chain[s], chain[s + 1]));
            }
            return worst;
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
        return minimizeBottleneck(ideals, stages, cost, SEARCH_NODES);
    }

    /**
     * As {@link #minimizeBottleneck(Ideals, int, Cost)}, with at most {@code searchNodes} partial chains
     * visited by {@link LaterStageSearch} (0: the program's placement, scored exactly, without search).
     */
    public static Optional<Result> minimizeBottleneck(Ideals ideals, int stages, Cost cost, int searchNodes) {
        return minimizeBottleneck(ideals, stages, cost, searchNodes, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #minimizeBottleneck(Ideals, int, Cost, int)} where its slowest stage is below {@code below}, or
     * empty: a stage that cannot be below it is not evaluated (a high {@link Cost#lowerBound} skips most pairs),
     * nor an ideal that the stages before it or those after it cannot hold below it ({@link Cost#spreadBound}),
     * and the search stops at the program when even its slowest stage (each output sent once, a lower bound of
     * the exact one) is not below it. A placement below it is the same as without the bound where no cuts tie.
     */
    public static Optional<Result> minimizeBottleneck(Ideals ideals, int stages, Cost cost, int searchNodes, double below) {
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
        // the program's value along one order of the blocks bounds its value over all ideals: prune with it (exactly)
        double bound = Math.min(below, n > ideals.blocks() + 1 && stages > 2
                ? Math.nextUp(alongParents(ideals, stages, cost)) : Double.POSITIVE_INFINITY);
        for (int s = 1; s <= stages; s++) {
            // only the full ideal matters after the last stage
            int from = s == stages ? ideals.full() : 1;
            for (int j = from; j < n; j++) {
                if (s < stages && bound < Double.POSITIVE_INFINITY && (cost.spreadBound(0, j, s) >= bound
                        || cost.spreadBound(j, ideals.full(), stages - s) >= bound)) {
                    continue;
                }
                // incumbent first: the cut that was best for the ideal this one extends by a block
                int parent = ideals.parent(j);
                if (best[s][parent] < below) {
                    int i = cut[s][parent];
                    best[s][j] = Math.max(best[s - 1][i], cost.of(s - 1, i, j));
                    cut[s][j] = i;
                }
                int[] inside = ideals.subsetsView(j);
                for (int x = cost.firstInner(s - 1, j, Math.min(best[s][j], bound)); x < inside.length; x++) {
                    int i = inside[x];
                    double prefix = best[s - 1][i];
                    double bar = Math.min(best[s][j], bound);
                    if (prefix >= bar || cost.lowerBound(s - 1, i, j) >= bar) {
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
        double relaxed = best[stages][ideals.full()];
        if (relaxed >= below) {
            return Optional.empty();
        }
        int[] chain = new int[stages + 1];
        chain[stages] = ideals.full();
        for (int s = stages; s >= 1; s--) {
            chain[s - 1] = cut[s][chain[s]];
        }
        double exact = cost.bottleneck(chain, stages);
        if (exact > relaxed) {
            int[] ones = new int[stages];
            Arrays.fill(ones, 1);
            int[] first = new int[stages];
            Arrays.setAll(first, s -> s);
            chain = LaterStageSearch.improve(ideals, oneReplicaEach(cost), stages, new LaterStageSearch.Placement(chain, first, ones),
                    exact, searchNodes).chain();
            exact = cost.bottleneck(chain, stages);
        }
        return exact < below ? Optional.of(new Result(stageOf(ideals, chain), exact)) : Optional.empty();
    }

    /**
     * The program's value over one topological order's prefixes only (the ideals from the full one down its
     * {@link Ideals#parent}s), at least its value over all ideals, which contain them: O(k n^2) stage costs, most
     * skipped by {@link Cost#lowerBound}.
     */
    private static double alongParents(Ideals ideals, int stages, Cost cost) {
        int n = ideals.blocks();
        int[] path = new int[n + 1];
        path[n] = ideals.full();
        for (int m = n; m > 0; m--) {
            path[m - 1] = ideals.parent(path[m]);
        }
        double[] previous = new double[n + 1];
        Arrays.fill(previous, Double.POSITIVE_INFINITY);
        previous[0] = 0;
        for (int s = 1; s <= stages; s++) {
            double[] next = new double[n + 1];
            Arrays.fill(next, Double.POSITIVE_INFINITY);
            for (int b = s == stages ? n : s; b <= n; b++) {
                for (int a = b - 1; a >= s - 1; a--) {
                    if (previous[a] < next[b] && cost.lowerBound(s - 1, path[a], path[b]) < next[b]) {
                        next[b] = Math.min(next[b], Math.max(previous[a], cost.of(s - 1, path[a], path[b])));
                    }
                }
            }
            previous = next;
        }
        return previous[n];
    }

    /** The cost as a replicated one where every stage has exactly one replica (k stages share R = k). */
    private static ReplicaPartitioner.Cost oneReplicaEach(Cost cost) {
        return new ReplicaPartitioner.Cost() {
            @Override
            public double of(int stage, int first, int replicas, int inner, int outer) {
                return replicas == 1 ? cost.of(stage, inner, outer) : Double.POSITIVE_INFINITY;
            }

            @Override
            public double lowerBound(int stage, int first, int replicas, int inner, int outer) {
                return replicas == 1 ? cost.lowerBound(stage, inner, outer) : Double.POSITIVE_INFINITY;
            }

            @Override
            public double bottleneck(int[] chain, int[] first, int[] replicas, int fixed) {
                return cost.bottleneck(chain, fixed);
            }
        };
    }

    /** The stage of every block when stage s holds {@code chain[s+1] \ chain[s]}. */
    static int[] stageOf(Ideals ideals, int[] chain) {
        int[] stageOf = new int[ideals.blocks()];
        for (int s = chain.length - 1; s >= 1; s--) {
            for (int b = 0; b < stageOf.length; b++) {
                if (ideals.contains(chain[s], b) && !ideals.contains(chain[s - 1], b)) {
                    stageOf[b] = s - 1;
                }
            }
        }
        return stageOf;
    }
}
