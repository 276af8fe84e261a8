package org.modelpar.solver.partition;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Branch and bound over chains of nested ideals and the replicas of each stage, for a stage cost that also
 * depends on the later stages ({@link ReplicaPartitioner.Cost#bottleneck}): a sender pays once per later
 * stage that receives its output, so the cost of a stage is not a function of its two ideals and its replicas,
 * and the dynamic program alone is not exact. {@link IdealPartitioner}'s placements are the case of one
 * replica per stage (R = k).
 *
 * <p>Stages are placed in order, each taking the next r of the R replicas. A partial placement is cut off when
 * its bound reaches the best placement found: the larger of the placed stages'
 * {@link ReplicaPartitioner.Cost#bottleneck} (every later receiving stage charged at least once) and
 * {@code rest[s][u][I]}, the replicated program over {@link ReplicaPartitioner.Cost#of} run backwards (the best
 * slowest stage of the blocks outside I on stages s..k-1 and replicas u..R-1, each stage's cost a lower
 * bound). Children are tried by their bound, then ideal index, then replica count, and only a strictly better
 * placement replaces the incumbent, so the result is deterministic. The search stops after a budget of partial
 * placements ({@link IdealPartitioner#SEARCH_NODES} by default) and keeps the best found.
 */
final class LaterStageSearch {
    /**
     * A placement: stage s holds {@code chain[s+1] \ chain[s]} on replicas {@code [first[s], first[s] + replicas[s])}.
     */
    record Placement(int[] chain, int[] first, int[] replicas) {
        Placement {
            chain = chain.clone();
            first = first.clone();
            replicas = replicas.clone();
        }
    }

    private final Ideals ideals;
    private final ReplicaPartitioner.Cost cost;
    private final int stages;
    private final int total;
    private final double[][][] rest;
    private final int[][] supersets;
    private final int[] chain;
    private final int[] first;
    private final int[] replicas;
    private Placement best;
    private double bestCost;
    private final int budget;
    private int nodes;

    private LaterStageSearch(Ideals ideals, ReplicaPartitioner.Cost cost, int total, Placement incumbent, double incumbentCost,
                             int budget) {
        this.ideals = ideals;
        this.cost = cost;
        this.total = total;
        this.budget = budget;
        this.stages = incumbent.replicas().length;
        this.best = incumbent;
        this.bestCost = incumbentCost;
        this.chain = new int[stages + 1];
        this.first = new int[stages];
        this.replicas = new int[stages];
        this.rest = restBounds();
        this.supersets = supersets(ideals);
    }

    /**
     * @param total         R, the replicas the stages share
     * @param incumbent     a placement from the empty ideal to the full one, its replicas summing to R
     * @param incumbentCost its {@link ReplicaPartitioner.Cost#bottleneck}, or less: only placements strictly below it are sought
     * @param budget        the most partial placements to visit
     * @return the placement with the smallest exact bottleneck found, {@code incumbent} when none is better
     */
    static Placement improve(Ideals ideals, ReplicaPartitioner.Cost cost, int total, Placement incumbent,
                             double incumbentCost, int budget) {
        if (budget <= 0) {
            return incumbent;
        }
        LaterStageSearch search = new LaterStageSearch(ideals, cost, total, incumbent, incumbentCost, budget);
        search.search(0, 0);
        return search.best;
    }

    /** Stages s..k-1 need at least one replica each: stage s may start at replica u only in {@code [s, R - (k - s)]}. */
    private int lastStart(int s) {
        return total - (stages - s);
    }

    private double[][][] restBounds() {
        int n = ideals.count();
        double[][][] r = new double[stages + 1][total + 1][n];
        for (double[][] plane : r) {
            for (double[] row : plane) {
                Arrays.fill(row, Double.POSITIVE_INFINITY);
            }
        }
        r[stages][total][ideals.full()] = 0;
        for (int s = stages - 1; s >= 0; s--) {
            int afterFrom = s + 1 == stages ? total : s + 1;
            int afterTo = s + 1 == stages ? total : lastStart(s + 1);
            int uTo = s == 0 ? 0 : lastStart(s);
            for (int after = afterFrom; after <= afterTo; after++) {
                for (int j = 1; j < n; j++) {
                    double later = r[s + 1][after][j];
                    if (later == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    for (int i : ideals.subsetsView(j)) {
                        if (s == 0 && i != 0) {
                            continue;
                        }
                        for (int u = s; u <= Math.min(uTo, after - 1); u++) {
                            if (later >= r[s][u][i] || cost.lowerBound(s, u, after - u, i, j) >= r[s][u][i]) {
                                continue;
                            }
                            r[s][u][i] = Math.min(r[s][u][i], Math.max(later, cost.of(s, u, after - u, i, j)));
                        }
                    }
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

    /** Extends the placement of stages {@code 0..s-1}, which use replicas {@code [0, u)}. */
    private void search(int s, int u) {
        if (nodes++ >= budget) {
            return;
        }
        if (s == stages) {
            double value = cost.bottleneck(chain, first, replicas, stages);
            if (value < bestCost) {
                bestCost = value;
                best = new Placement(chain, first, replicas);
            }
            return;
        }
        int inner = chain[s];
        int[] supers = supersets[inner];
        int most = s + 1 == stages ? total - u : lastStart(s + 1) - u;
        int least = s + 1 == stages ? most : 1;
        int children = supers.length * Math.max(0, most - least + 1);
        double[] bound = new double[children];
        Integer[] order = new Integer[children];
        int n = 0;
        for (int x = 0; x < supers.length; x++) {
            int j = supers[x];
            for (int r = least; r <= most; r++) {
                int child = x * (most - least + 1) + (r - least);
                double later = rest[s + 1][u + r][j];
                if (later < bestCost && cost.lowerBound(s, u, r, inner, j) < bestCost) {
                    bound[child] = Math.max(later, cost.of(s, u, r, inner, j));
                    if (bound[child] < bestCost) {
                        order[n++] = child;
                    }
                }
            }
        }
        Arrays.sort(order, 0, n, Comparator.comparingDouble((Integer c) -> bound[c]).thenComparingInt(c -> c));
        for (int y = 0; y < n; y++) {
            int j = supers[order[y] / (most - least + 1)];
            int r = least + order[y] % (most - least + 1);
            chain[s + 1] = j;
            first[s] = u;
            replicas[s] = r;
            if (Math.max(rest[s + 1][u + r][j], cost.bottleneck(chain, first, replicas, s + 1)) < bestCost) {
                search(s + 1, u + r);
            }
        }
    }
}
