package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

class StageBalancerTest {
    @Test
    void splitMinimisesTheLargestRun() {
        assertThat(StageBalancer.split(new double[] {1, 1, 1, 1}, 2)).containsExactly(0, 2, 4);
        assertThat(StageBalancer.split(new double[] {5, 1, 1, 1, 1, 1}, 2)).containsExactly(0, 1, 6);
        assertThat(StageBalancer.split(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3)).containsExactly(0, 5, 7, 9);
        assertThat(StageBalancer.split(new double[] {0, 0, 0}, 3)).containsExactly(0, 1, 2, 3);
        assertThatThrownBy(() -> StageBalancer.split(new double[] {1}, 2)).isInstanceOf(PlanException.class);
    }

    @Test
    void binarySearchSplitEqualsTheQuadraticDynamicProgram() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(60);
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                // integers (many ties), zeros, and awkward fractions
                w[i] = round % 3 == 0 ? random.nextInt(4) : round % 3 == 1 ? random.nextDouble() * 1e-3 : 0.1 * random.nextInt(5);
            }
            int parts = 1 + random.nextInt(n);
            assertThat(StageBalancer.split(w, parts)).as("round %d", round).containsExactly(quadraticSplit(w, parts));
        }
    }

    /**
     * 100,000 ops into 16 stages: valid, balanced cuts. The quadratic scan took hours here; the timeout
     * stops such a regression instead of hanging CI (the time itself is bench/scale.sh's).
     */
    @Test
    @Timeout(300)
    void splitsAHundredThousandOps() {
        double[] w = new double[100_000];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextDouble();
        }
        int[] cuts = StageBalancer.split(w, 16);
        assertThat(cuts).hasSize(17).startsWith(0).endsWith(w.length).isSorted();
        double total = java.util.Arrays.stream(w).sum();
        double largest = 0;
        for (int s = 0; s < 16; s++) {
            largest = Math.max(largest, java.util.Arrays.stream(w, cuts[s], cuts[s + 1]).sum());
        }
        // no run can be below the mean, and an optimal split exceeds it by less than one weight (each < 1)
        assertThat(largest).isBetween(total / 16, total / 16 + 1);
    }

    /** The textbook O(p n^2) linear-partition dynamic program, earliest cut on ties. */
    private static int[] quadraticSplit(double[] weights, int parts) {
        int n = weights.length;
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + weights[i];
        }
        double[][] best = new double[parts + 1][n + 1];
        int[][] from = new int[parts + 1][n + 1];
        for (int j = 1; j <= n; j++) {
            best[1][j] = prefix[j];
        }
        for (int k = 2; k <= parts; k++) {
            for (int j = k; j <= n; j++) {
                best[k][j] = Double.POSITIVE_INFINITY;
                for (int i = k - 1; i < j; i++) {
                    double v = Math.max(best[k - 1][i], prefix[j] - prefix[i]);
                    if (v < best[k][j]) {
                        best[k][j] = v;
                        from[k][j] = i;
                    }
                }
            }
        }
        int[] cuts = new int[parts + 1];
        cuts[parts] = n;
        for (int k = parts; k > 1; k--) {
            cuts[k - 1] = from[k][cuts[k]];
        }
        return cuts;
    }

    @Test
    void planLaysOutTensorThenDataThenPipeline() {
        ComputationGraph g = Fixtures.chain(8, 1, 2, 0, 4, 4);
        ClusterSpec c = Fixtures.freeCluster(8);
        ParallelConfig config = new ParallelConfig(2, 2, 2, 4, 1, Schedule.ONE_F_ONE_B, true, Precision.BF16, OptimizerKind.ADAM);
        PlacementPlan plan = StageBalancer.plan(g, c, config, new RooflineCostModel());
        assertThat(plan.stages().get(0).ops()).containsExactly("op0", "op1", "op2", "op3");
        assertThat(plan.stages().get(1).devices()).containsExactly("n0g4", "n0g5", "n0g6", "n0g7");
        assertThat(plan.microBatchSize()).isEqualTo(2);
        assertThat(plan.globalBatchSize()).isEqualTo(8);
        assertThat(plan.stages()).allMatch(s -> s.recompute());
        assertThatThrownBy(() -> StageBalancer.plan(g, Fixtures.freeCluster(4), config, new RooflineCostModel()))
                .hasMessage("pp 2 x tp 2 x dp 2 needs 8 devices, cluster 'test' has 4");
        assertThat(Simulator.simulate(g, c, plan).stepSeconds()).isPositive();
        assertThat(List.of(plan.dataParallel(0), plan.dataParallel(1))).containsExactly(2, 2);
    }
}
