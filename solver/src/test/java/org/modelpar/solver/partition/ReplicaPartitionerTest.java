package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.modelpar.solver.partition.IdealsTest.e;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplicaPartitionerTest {
    @Test
    void convolutionsOnThreeReplicasAndTheClassifierOnOne() {
        // PipeDream's VGG-16 shape on 4 devices: convolutions (work 12, no parameters) then a classifier (work 4,
        // many parameters). 3+1: 12/3 = 4 | 4 = 4. 2+2: 12/2 = 6 and the classifier's all-reduce
        double[] weight = {12, 4};
        SetCost dag = new SetCost(2, List.of(e(0, 1)), weight, new double[2]);
        Ideals ideals = Ideals.of(2, dag.edges(), 10).orElseThrow();
        ReplicaPartitioner.Cost cost = (s, first, r, inner, outer) -> {
            long set = outer == 2 && inner == 1 ? 2 : outer == 1 ? 1 : 3;
            boolean classifier = set == 2;
            return dag.of(s, set) / r + (classifier ? 100.0 * (r - 1) / r : 0);
        };
        ReplicaPartitioner.Result r = ReplicaPartitioner.minimizeBottleneck(ideals, 2, 4, cost).orElseThrow();
        assertThat(r.replicasOfStage()).containsExactly(3, 1);
        assertThat(r.bottleneck()).isEqualTo(4);
    }

    @Test
    void oneReplicaPerStageIsTheIdealProgram() {
        Random random = new Random(2);
        for (int round = 0; round < 40; round++) {
            int k = 1 + random.nextInt(4);
            int n = k + random.nextInt(5);
            SetCost dag = SetCost.random(random, n, randomEdges(random, n));
            Ideals ideals = Ideals.of(n, dag.edges(), 1 << 12).orElseThrow();
            var plain = IdealPartitioner.minimizeBottleneck(ideals, k, dag.over(ideals));
            var replicated = ReplicaPartitioner.minimizeBottleneck(ideals, k, k, dag.replicated(ideals));
            assertThat(replicated.map(ReplicaPartitioner.Result::bottleneck))
                    .isEqualTo(plain.map(IdealPartitioner.Result::bottleneck));
        }
    }

    @Test
    void equalsBruteForceOverPlacementsAndReplicaCounts() {
        Random random = new Random(17);
        for (int round = 0; round < 80; round++) {
            int k = 2 + random.nextInt(2);
            int replicas = k + random.nextInt(4);
            int n = k + random.nextInt(5);
            SetCost dag = SetCost.random(random, n, randomEdges(random, n));
            if (round % 2 == 1) {
                dag = dag.withMemoryLimit(random);
            }
            Ideals ideals = Ideals.of(n, dag.edges(), 1 << 12).orElseThrow();
            Optional<ReplicaPartitioner.Result> dp = ReplicaPartitioner.minimizeBottleneck(ideals, k, replicas, dag.replicated(ideals));
            double brute = bruteForce(dag, k, replicas);
            assertThat(dp.map(ReplicaPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY))
                    .as("round %d", round).isEqualTo(brute);
            SetCost cost = dag;
            dp.ifPresent(r -> assertThat(evaluate(cost, r.stageOfBlock(), r.replicasOfStage())).isEqualTo(r.bottleneck()));
        }
    }

    /**
     * The exhaustive reference for a cost where an output is sent once to each later stage reading it (so the
     * program alone is not exact and the branch and bound decides): every assignment of blocks to k ordered
     * stages respecting the DAG times every split of R replicas, with and without memory limits; R = k is the
     * even case, where {@link IdealPartitioner} must agree too.
     */
    @Test
    void searchEqualsBruteForceWhenSendsArePerReceivingStage() {
        Random random = new Random(23);
        int searched = 0;
        int uneven = 0;
        for (int round = 0; round < 200; round++) {
            Case c = Case.random(random, round, 3);
            int k = c.k();
            int replicas = c.replicas();
            int n = c.dag().blocks();
            SendCost dag = c.dag();
            Ideals ideals = c.ideals();
            double brute = bruteForce(dag, k, replicas);
            Optional<ReplicaPartitioner.Result> dp = ReplicaPartitioner.minimizeBottleneck(ideals, k, replicas, dag.over(ideals));
            assertThat(dp.map(ReplicaPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY))
                    .as("round %d: %d blocks, %d stages, %d replicas", round, n, k, replicas).isEqualTo(brute);
            dp.ifPresent(r -> assertThat(dag.evaluate(r.stageOfBlock(), r.replicasOfStage())).isEqualTo(r.bottleneck()));
            // asked for a placement below the optimum there is none; just above it, the optimum
            assertThat(ReplicaPartitioner.minimizeBottleneck(ideals, k, replicas, dag.over(ideals), IdealPartitioner.SEARCH_NODES,
                    brute)).as("round %d", round).isEmpty();
            assertThat(ReplicaPartitioner.minimizeBottleneck(ideals, k, replicas, dag.over(ideals), IdealPartitioner.SEARCH_NODES,
                    Math.nextUp(brute)).map(ReplicaPartitioner.Result::bottleneck)).isEqualTo(dp.map(ReplicaPartitioner.Result::bottleneck));
            Optional<ReplicaPartitioner.Result> unsearched = ReplicaPartitioner.minimizeBottleneck(ideals, k, replicas, dag.over(ideals), 0, Double.POSITIVE_INFINITY);
            if (unsearched.map(ReplicaPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY) > brute) {
                searched++;
            }
            if (dp.isPresent() && Arrays.stream(dp.get().replicasOfStage()).distinct().count() > 1) {
                uneven++;
            }
            if (replicas == k) {
                ReplicaPartitioner.Cost cost = dag.over(ideals);
                int[] ones = new int[k];
                Arrays.fill(ones, 1);
                int[] first = new int[k];
                Arrays.setAll(first, s -> s);
                var even = IdealPartitioner.minimizeBottleneck(ideals, k, new IdealPartitioner.Cost() {
                    @Override
                    public double of(int stage, int inner, int outer) {
                        return cost.of(stage, stage, 1, inner, outer);
                    }

                    @Override
                    public double bottleneck(int[] chain, int fixed) {
                        return cost.bottleneck(chain, first, ones, fixed);
                    }
                });
                assertThat(even.map(IdealPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY)).as("round %d", round).isEqualTo(brute);
            }
        }
        // the search decided some optima, and some optima replicate stages unevenly
        assertThat(searched).as("searched").isGreaterThanOrEqualTo(8);
        assertThat(uneven).as("uneven").isGreaterThanOrEqualTo(20);
    }

    /**
     * {@link ReplicaPartitioner.Cost#work} (here each block's work at the fastest speed: r x a stage's cost is at least
     * that) skips states without changing the placement, at bounds above, at and below the optimum, and the program
     * evaluates fewer stages with it.
     */
    @Test
    void workBoundKeepsThePlacementAndSkipsStates() {
        Random random = new Random(29);
        long evaluatedWith = 0;
        long evaluatedWithout = 0;
        for (int round = 0; round < 120; round++) {
            Case c = Case.random(random, round, 4);
            double fastest = Arrays.stream(c.dag().speed()).min().orElseThrow();
            ReplicaPartitioner.Cost plain = c.dag().over(c.ideals());
            long[] calls = new long[2];
            ReplicaPartitioner.Cost counted = counting(plain, calls, 0, i -> 0);
            ReplicaPartitioner.Cost bounded = counting(plain, calls, 1, i -> {
                long set = SetCost.mask(c.ideals(), i);
                return fastest * java.util.stream.IntStream.range(0, c.dag().blocks()).filter(b -> (set >>> b & 1) != 0)
                        .mapToDouble(b -> c.dag().work()[b]).sum();
            });
            for (int outer = 1; outer < c.ideals().count(); outer++) {
                for (int inner = 0; inner < outer; inner++) {
                    for (int r = 1; c.ideals().nested(inner, outer) && r <= c.replicas(); r++) {
                        assertThat(r * plain.of(0, 0, r, inner, outer)).isGreaterThanOrEqualTo(bounded.work(outer) - bounded.work(inner));
                    }
                }
            }
            double optimum = ReplicaPartitioner.minimizeBottleneck(c.ideals(), c.k(), c.replicas(), plain)
                    .map(ReplicaPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY);
            for (double below : new double[] {Double.POSITIVE_INFINITY, optimum * 1.2, Math.nextUp(optimum), optimum, optimum * 0.9}) {
                var without = ReplicaPartitioner.minimizeBottleneck(c.ideals(), c.k(), c.replicas(), counted, IdealPartitioner.SEARCH_NODES, below);
                var with = ReplicaPartitioner.minimizeBottleneck(c.ideals(), c.k(), c.replicas(), bounded, IdealPartitioner.SEARCH_NODES, below);
                assertThat(with.map(ReplicaPartitionerTest::words)).as("round %d below %.2f", round, below)
                        .isEqualTo(without.map(ReplicaPartitionerTest::words));
            }
            evaluatedWithout += calls[0];
            evaluatedWith += calls[1];
        }
        assertThat(evaluatedWith).as("stage costs evaluated with the bound").isLessThan(evaluatedWithout * 9 / 10);
    }

    /** The cost, counting its evaluations in {@code calls[slot]}, with the given work. */
    private static ReplicaPartitioner.Cost counting(ReplicaPartitioner.Cost cost, long[] calls, int slot,
                                                    java.util.function.IntToDoubleFunction work) {
        return new ReplicaPartitioner.Cost() {
            @Override
            public double of(int stage, int first, int replicas, int inner, int outer) {
                calls[slot]++;
                return cost.of(stage, first, replicas, inner, outer);
            }

            @Override
            public double work(int ideal) {
                return work.applyAsDouble(ideal);
            }

            @Override
            public double bottleneck(int[] chain, int[] first, int[] replicas, int fixed) {
                return cost.bottleneck(chain, first, replicas, fixed);
            }
        };
    }

    private static String words(ReplicaPartitioner.Result r) {
        return Arrays.toString(r.stageOfBlock()) + " " + Arrays.toString(r.replicasOfStage()) + " " + r.bottleneck();
    }

    /**
     * A seeded case: 2 to 4 stages, up to {@code extraReplicas} replicas more than stages, a few blocks more than stages
     * (fewer for more stages, for the brute force), memory limits on odd rounds.
     */
    private record Case(int k, int replicas, SendCost dag, Ideals ideals) {
        static Case random(Random random, int round, int extraReplicas) {
            int k = 2 + random.nextInt(3);
            int replicas = k + random.nextInt(extraReplicas + 1);
            int n = k + random.nextInt(k == 4 ? 4 : k == 3 ? 5 : 7);
            SendCost dag = SendCost.random(random, n, randomEdges(random, n), round % 2 == 1);
            return new Case(k, replicas, dag, Ideals.of(n, dag.edges(), 1 << 12).orElseThrow());
        }
    }

    private static double bruteForce(SendCost dag, int k, int replicas) {
        double best = Double.POSITIVE_INFINITY;
        int n = dag.blocks();
        int[] stageOf = new int[n];
        List<int[]> splits = compositions(replicas, k);
        for (long code = 0; code < (long) Math.pow(k, n); code++) {
            long c = code;
            for (int b = 0; b < n; b++) {
                stageOf[b] = (int) (c % k);
                c /= k;
            }
            for (int[] split : splits) {
                best = Math.min(best, dag.evaluate(stageOf, split));
            }
        }
        return best;
    }

    private static double bruteForce(SetCost dag, int k, int replicas) {
        double best = Double.POSITIVE_INFINITY;
        int n = dag.blocks();
        int[] stageOf = new int[n];
        for (long code = 0; code < (long) Math.pow(k, n); code++) {
            long c = code;
            for (int b = 0; b < n; b++) {
                stageOf[b] = (int) (c % k);
                c /= k;
            }
            if (dag.evaluate(stageOf, k) == Double.POSITIVE_INFINITY && !allowedButOverMemory(dag, stageOf, k)) {
                continue;
            }
            for (int[] split : compositions(replicas, k)) {
                best = Math.min(best, evaluate(dag, stageOf, split));
            }
        }
        return best;
    }

    /** Whether the assignment respects the DAG and uses every stage (memory aside). */
    private static boolean allowedButOverMemory(SetCost dag, int[] stageOf, int k) {
        for (int[] e : dag.edges()) {
            if (stageOf[e[0]] > stageOf[e[1]]) {
                return false;
            }
        }
        boolean[] used = new boolean[k];
        for (int s : stageOf) {
            used[s] = true;
        }
        for (boolean u : used) {
            if (!u) {
                return false;
            }
        }
        return true;
    }

    private static double evaluate(SetCost dag, int[] stageOf, int[] replicasOf) {
        int k = replicasOf.length;
        if (!allowedButOverMemory(dag, stageOf, k)) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        for (int s = 0; s < k; s++) {
            long set = 0;
            for (int b = 0; b < stageOf.length; b++) {
                if (stageOf[b] == s) {
                    set |= 1L << b;
                }
            }
            worst = Math.max(worst, dag.of(s, set, replicasOf[s]));
        }
        return worst;
    }

    /** Every way to write total as k positive parts, in order. */
    private static List<int[]> compositions(int total, int k) {
        List<int[]> out = new ArrayList<>();
        if (k == 1) {
            out.add(new int[] {total});
            return out;
        }
        for (int first = 1; first <= total - (k - 1); first++) {
            for (int[] rest : compositions(total - first, k - 1)) {
                int[] c = new int[k];
                c[0] = first;
                System.arraycopy(rest, 0, c, 1, k - 1);
                out.add(c);
            }
        }
        return out;
    }

    private static List<int[]> randomEdges(Random random, int n) {
        List<int[]> edges = new ArrayList<>();
        for (int to = 1; to < n; to++) {
            for (int from = 0; from < to; from++) {
                if (random.nextInt(4) == 0) {
                    edges.add(e(from, to));
                }
            }
        }
        return edges;
    }
}
