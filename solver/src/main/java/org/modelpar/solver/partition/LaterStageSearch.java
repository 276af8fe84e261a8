package org.modelpar.solver.partition;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Branch and bound over chains of nested ideals for a stage cost that also depends on the later stages
 * ({@link IdealPartitioner.Cost#bottleneck}): a sender pays once per later stage that receives its output,
 * so the cost of a stage is not a function of its two ideals and the dynamic program alone is not exact.
 *
 * <p>Stages are placed in order. A partial chain is cut off when its bound reaches the best placement
 * found: the larger of the placed stages' {@link IdealPartitioner.Cost#bottleneck} (every later receiving
 * stage charged at least once) and {@code rest[s][I]}, the dynamic program over {@link IdealPartitioner.Cost#of}
 * run backwards (the best slowest stage of the blocks outside I on stages s..k-1, each stage's cost a lower
 * bound). Children are tried by their bound, then index, and only a strictly better placement replaces the
 * incumbent, so the result is deterministic. The search stops after a budget of partial chains
 * ({@link IdealPartitioner#SEARCH_NODES} by default) and keeps the best found.
 */
final class LaterStageSearch {
    private final Ideals ideals;
    private final IdealPartitioner.Cost cost;
    private final int stages;
    private final double[][] rest;
    private final int[][] supersets;
    private final int[] chain;
    private int[] bestChain;
    private double best;
    private final int budget;
    private int nodes;

    private LaterStageSearch(Ideals ideals, IdealPartitioner.Cost cost, int[] incumbent, double incumbentCost, int budget) {
        this.ideals = ideals;
        this.budget = budget;
        this.cost = cost;
        this.stages = incumbent.length - 1;
        this.bestChain = incumbent.clone();
        this.best = incumbentCost;
        this.chain = new int[stages + 1];
        this.rest = restBounds();
        this.supersets = supersets(ideals);
    }

    /**
     * @param incumbent     a chain of k + 1 nested ideals from the empty to the full one
     * @param incumbentCost its {@link IdealPartitioner.Cost#bottleneck}
     * @param budget        the most partial chains to visit
     * @return the chain with the smallest exact bottleneck found, {@code incumbent} when none is better
     */
    static int[] improve(Ideals ideals, IdealPartitioner.Cost cost, int[] incumbent, double incumbentCost, int budget) {
        if (budget <= 0) {
            return incumbent;
        }
        LaterStageSearch search = new LaterStageSearch(ideals, cost, incumbent, incumbentCost, budget);
        search.search(0);
        return search.bestChain;
    }

    private double[][] restBounds() {
        int n = ideals.count();
        double[][] r = new double[stages + 1][n];
        for (double[] row : r) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        r[stages][ideals.full()] = 0;
        for (int s = stages - 1; s >= 0; s--) {
            for (int j = 1; j < n; j++) {
                double after = r[s + 1][j];
                if (after == Double.POSITIVE_INFINITY) {
                    continue;
                }
                for (int i : ideals.subsetsView(j)) {
                    if ((s == 0 && i != 0) || after >= r[s][i] || cost.lowerBound(s, i, j) >= r[s][i]) {
                        continue;
                    }
                    r[s][i] = Math.min(r[s][i], Math.max(after, cost.of(s, i, j)));
                }
            }
        }
        return r;
    }

    private static int[][] supersets(Ideals ideals) {
        int n = ideals.count();
        int[] count = new int[n];
        for (int j = 0; j < n; j++) {
            for (int i : ideals.subsetsView(j)) {
                count[i]++;
            }
        }
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = new int[count[i]];
            count[i] = 0;
        }
        for (int j = 0; j < n; j++) {
            for (int i : ideals.subsetsView(j)) {
                out[i][count[i]++] = j;
            }
        }
        return out;
    }

    /** Extends {@code chain[0..s]}. */
    private void search(int s) {
        if (nodes++ >= budget) {
            return;
        }
        if (s == stages) {
            double value = cost.bottleneck(chain, stages);
            if (value < best) {
                best = value;
                bestChain = chain.clone();
            }
            return;
        }
        int inner = chain[s];
        int[] supers = supersets[inner];
        double[] bound = new double[supers.length];
        Integer[] order = new Integer[supers.length];
        int n = 0;
        for (int x = 0; x < supers.length; x++) {
            int j = supers[x];
            if (rest[s + 1][j] < best && cost.lowerBound(s, inner, j) < best) {
                bound[x] = Math.max(rest[s + 1][j], cost.of(s, inner, j));
                if (bound[x] < best) {
                    order[n++] = x;
                }
            }
        }
        Arrays.sort(order, 0, n, Comparator.comparingDouble((Integer x) -> bound[x]).thenComparingInt(x -> x));
        for (int y = 0; y < n; y++) {
            int j = supers[order[y]];
            chain[s + 1] = j;
            if (Math.max(rest[s + 1][j], cost.bottleneck(chain, s + 1)) < best) {
                search(s + 1);
            }
        }
    }
}
