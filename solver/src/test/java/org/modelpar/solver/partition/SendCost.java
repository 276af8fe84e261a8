package org.modelpar.solver.partition;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A test stage cost where a producer's output is sent once to each later stage that reads it (as modelpar's
 * lowering sends it), so a stage's cost depends on how the later stages split the readers. A stage s on r
 * replicas holding set S (bit mask, at most 63 blocks): {@code (work(S) x speed[s] + received + sent) / r +
 * parameters(S) x (r - 1) / r}, where received counts each outside producer read in S once and sent counts each
 * output of S once per later stage reading it; forbidden when {@code memory(S) / r} exceeds {@code capacity[s]}.
 */
record SendCost(int blocks, List<int[]> edges, double[] work, double[] output, double[] memory, double[] speed,
                double[] capacity) {
    static SendCost random(Random random, int blocks, List<int[]> edges, boolean memoryLimit) {
        double[] work = new double[blocks];
        double[] output = new double[blocks];
        double[] memory = new double[blocks];
        double total = 0;
        for (int b = 0; b < blocks; b++) {
            work[b] = 1 + random.nextInt(20);
            output[b] = random.nextInt(16);
            memory[b] = 1 + random.nextInt(10);
            total += memory[b];
        }
        double[] speed = new double[blocks];
        double[] capacity = new double[blocks];
        for (int s = 0; s < blocks; s++) {
            speed[s] = 1 + random.nextInt(2);
            capacity[s] = memoryLimit ? total * (0.2 + 0.4 * random.nextDouble()) : Double.POSITIVE_INFINITY;
        }
        return new SendCost(blocks, edges, work, output, memory, speed, capacity);
    }

    /**
     * Stage s's cost on r replicas; {@code later[u]} is the set of the u-th later stage, and a reader in none of
     * them (not placed yet) counts as one more receiving stage.
     */
    double stage(int s, long set, int r, long[] later) {
        double w = 0;
        double m = 0;
        double parameters = 0;
        for (int b = 0; b < blocks; b++) {
            if ((set >>> b & 1) != 0) {
                w += work[b];
                m += memory[b];
                parameters += work[b] / 2;
            }
        }
        if (m / r > capacity[s]) {
            return Double.POSITIVE_INFINITY;
        }
        double transfers = 0;
        for (int b = 0; b < blocks; b++) {
            long readers = 0;
            for (int[] e : edges) {
                if (e[0] == b) {
                    readers |= 1L << e[1];
                }
            }
            if ((set >>> b & 1) == 0) {
                transfers += (readers & set) != 0 ? output[b] : 0;
                continue;
            }
            long outside = readers & ~set;
            for (long l : later) {
                transfers += (outside & l) != 0 ? output[b] : 0;
                outside &= ~l;
            }
            transfers += outside != 0 ? output[b] : 0;
        }
        return (w * speed[s] + transfers) / r + parameters * (r - 1) / r;
    }

    ReplicaPartitioner.Cost over(Ideals ideals) {
        return new ReplicaPartitioner.Cost() {
            @Override
            public double of(int stage, int first, int replicas, int inner, int outer) {
                return stage(stage, SetCost.mask(ideals, outer) & ~SetCost.mask(ideals, inner), replicas, new long[0]);
            }

            @Override
            public double bottleneck(int[] chain, int[] first, int[] replicas, int fixed) {
                double worst = 0;
                for (int t = 0; t < fixed; t++) {
                    long[] later = new long[fixed - t - 1];
                    for (int u = t + 1; u < fixed; u++) {
                        later[u - t - 1] = SetCost.mask(ideals, chain[u + 1]) & ~SetCost.mask(ideals, chain[u]);
                    }
                    worst = Math.max(worst, stage(t, SetCost.mask(ideals, chain[t + 1]) & ~SetCost.mask(ideals, chain[t]), replicas[t], later));
                }
                return worst;
            }
        };
    }

    /** The exact slowest stage of an assignment with replicas per stage; infinity when a stage is empty or a tensor goes back. */
    double evaluate(int[] stageOf, int[] replicas) {
        int k = replicas.length;
        if (!SetCost.forward(edges, stageOf)) {
            return Double.POSITIVE_INFINITY;
        }
        long[] sets = SetCost.sets(stageOf, k);
        double worst = 0;
        for (int s = 0; s < k; s++) {
            if (sets[s] == 0) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, stage(s, sets[s], replicas[s], Arrays.copyOfRange(sets, s + 1, k)));
        }
        return worst;
    }
}
