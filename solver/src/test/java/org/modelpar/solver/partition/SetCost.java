package org.modelpar.solver.partition;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A test stage cost that depends only on the set of blocks a stage holds (at most 63 blocks, as a bit
 * mask): compute weight (scaled per stage, like a heterogeneous device group) plus, once per producer,
 * the output of every block outside the set read inside it and of every block inside it read outside
 * (Tarnawski et al.'s in(S) and out(S)); infinity when the set's memory exceeds the stage's capacity.
 */
record SetCost(int blocks, List<int[]> edges, double[] weight, double[] outputCost, double[] memory,
               double[] capacity, double[] speed) {
    SetCost(int blocks, List<int[]> edges, double[] weight, double[] outputCost) {
        this(blocks, edges, weight, outputCost, new double[blocks], filled(blocks, Double.POSITIVE_INFINITY), filled(blocks, 1));
    }

    static SetCost random(Random random, int blocks, List<int[]> edges) {
        double[] weight = new double[blocks];
        double[] output = new double[blocks];
        double[] memory = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            weight[b] = 1 + random.nextInt(20);
            output[b] = random.nextInt(6);
            memory[b] = 1 + random.nextInt(10);
        }
        double[] speed = new double[blocks];
        for (int s = 0; s < blocks; s++) {
            speed[s] = 1 + random.nextInt(2);
        }
        return new SetCost(blocks, edges, weight, output, memory, filled(blocks, Double.POSITIVE_INFINITY), speed);
    }

    /** The same costs with a random memory capacity per stage, tight enough to forbid some stages. */
    SetCost withMemoryLimit(Random random) {
        double total = Arrays.stream(memory).sum();
        double[] limit = new double[blocks];
        for (int s = 0; s < blocks; s++) {
            limit[s] = total * (0.3 + 0.5 * random.nextDouble());
        }
        return new SetCost(blocks, edges, weight, outputCost, memory, limit, speed);
    }

    double of(int stage, long set) {
        double w = 0;
        double m = 0;
        for (int b = 0; b < blocks; b++) {
            if ((set >>> b & 1) != 0) {
                w += weight[b];
                m += memory[b];
            }
        }
        if (m > capacity[stage]) {
            return Double.POSITIVE_INFINITY;
        }
        double comm = 0;
        for (int b = 0; b < blocks; b++) {
            boolean inside = (set >>> b & 1) != 0;
            for (int[] e : edges) {
                if (e[0] == b && ((set >>> e[1] & 1) != 0) != inside) {
                    comm += outputCost[b];
                    break;
                }
            }
        }
        return w * speed[stage] + comm;
    }

    /**
     * On r data-parallel replicas, PipeDream-style: the work and transfers split r ways, plus a gradient
     * all-reduce growing with {@code (r - 1) / r} of the stage's weight (as parameters).
     */
    double of(int stage, long set, int replicas) {
        double single = of(stage, set);
        if (single == Double.POSITIVE_INFINITY) {
            return single;
        }
        double parameters = 0;
        for (int b = 0; b < blocks; b++) {
            if ((set >>> b & 1) != 0) {
                parameters += weight[b] / 2;
            }
        }
        return single / replicas + parameters * (replicas - 1) / replicas;
    }

    ReplicaPartitioner.Cost replicated(Ideals ideals) {
        return (stage, first, replicas, inner, outer) -> of(stage, mask(ideals, outer) & ~mask(ideals, inner), replicas);
    }

    IdealPartitioner.Cost over(Ideals ideals) {
        return (stage, inner, outer) -> of(stage, mask(ideals, outer) & ~mask(ideals, inner));
    }

    /** The slowest stage of an assignment; infinity when a stage is empty or a tensor goes back. */
    double evaluate(int[] stageOf, int stages) {
        if (!forward(edges, stageOf)) {
            return Double.POSITIVE_INFINITY;
        }
        long[] sets = sets(stageOf, stages);
        double worst = 0;
        for (int s = 0; s < stages; s++) {
            worst = Math.max(worst, sets[s] == 0 ? Double.POSITIVE_INFINITY : of(s, sets[s]));
        }
        return worst;
    }

    /** Whether every edge goes to the same or a later stage. */
    static boolean forward(List<int[]> edges, int[] stageOf) {
        return edges.stream().allMatch(e -> stageOf[e[0]] <= stageOf[e[1]]);
    }

    /** The blocks of each stage as a bit mask. */
    static long[] sets(int[] stageOf, int stages) {
        long[] sets = new long[stages];
        for (int b = 0; b < stageOf.length; b++) {
            sets[stageOf[b]] |= 1L << b;
        }
        return sets;
    }

    /** The blocks of an ideal as a bit mask. */
    static long mask(Ideals ideals, int ideal) {
        long m = 0;
        for (int b = 0; b < ideals.blocks(); b++) {
            if (ideals.contains(ideal, b)) {
                m |= 1L << b;
            }
        }
        return m;
    }

    private static double[] filled(int n, double value) {
        double[] a = new double[n];
        Arrays.fill(a, value);
        return a;
    }
}
