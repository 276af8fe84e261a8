package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.modelpar.solver.partition.IdealsTest.e;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipeDreamCostTest {
    // diamond 0 -> {1, 2} -> 3: compute 1, 2, 3, 4 s; parameters 10, 20, 30, 40 bytes; outputs 100, 200, 300, 400 bytes
    private static final List<int[]> DIAMOND = List.of(e(0, 1), e(0, 2), e(1, 3), e(2, 3));
    private static final PipeDreamPartitioner.Profile PROFILE = new PipeDreamPartitioner.Profile(
            new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 40}, new double[] {100, 200, 300, 400});

    private static int ideal(Ideals ideals, int... blocks) {
        for (int j = 0; j < ideals.count(); j++) {
            int held = 0;
            for (int b = 0; b < ideals.blocks(); b++) {
                held += ideals.contains(j, b) ? 1 : 0;
            }
            boolean all = true;
            for (int b : blocks) {
                all &= ideals.contains(j, b);
            }
            if (all && held == blocks.length) {
                return j;
            }
        }
        throw new IllegalArgumentException("no ideal " + Arrays.toString(blocks));
    }

    @Test
    void cutPaysTheAugmentedAntichainTwicePerReplica() {
        Ideals ideals = Ideals.of(4, DIAMOND, 10).orElseThrow();
        PipeDreamCost cost = new PipeDreamCost(ideals, PROFILE, DIAMOND, new PipeDreamCost.Network(4, 10, true, Double.POSITIVE_INFINITY));
        int first = ideal(ideals, 0, 1);
        // stage {2, 3} after ideal {0, 1} on 2 replicas: compute (3 + 4) / 2 = 3.5; all-reduce 4 * 1 * 70 / (10 * 2) / 2 = 7;
        // input: the augmented antichain of {0, 1} is 1 (maximal) and 0 (it feeds 2): 2 * 300 / (10 * 2) = 30
        assertThat(cost.of(1, 2, 2, first, ideals.full())).isEqualTo(30.0);
        // the first stage {0, 1} on 2 replicas pays no transfer: (3 + 4 * 30 / 20) / 2 = 4.5
        assertThat(cost.of(0, 0, 2, 0, first)).isEqualTo(4.5);
        // without counted activations stage {2, 3} is compute and all-reduce only
        PipeDreamCost free = new PipeDreamCost(ideals, PROFILE, DIAMOND, new PipeDreamCost.Network(4, 10, false, Double.POSITIVE_INFINITY));
        assertThat(free.of(1, 2, 2, first, ideals.full())).isEqualTo(3.5 + 7);
    }

    @Test
    void memoryLimitCountsTheMinibatchesStashedForLaterMachines() {
        Ideals ideals = Ideals.of(4, DIAMOND, 10).orElseThrow();
        int first = ideal(ideals, 0);
        // stage {0} on 1 replica with 3 machines after it: ceil(3 / 1) x (100 + 10) = 330 bytes stashed
        PipeDreamCost fits = new PipeDreamCost(ideals, PROFILE, DIAMOND, new PipeDreamCost.Network(4, 10, false, 330));
        PipeDreamCost over = new PipeDreamCost(ideals, PROFILE, DIAMOND, new PipeDreamCost.Network(4, 10, false, 329));
        assertThat(fits.of(0, 0, 1, 0, first)).isEqualTo(1.0);
        assertThat(over.of(0, 0, 1, 0, first)).isEqualTo(Double.POSITIVE_INFINITY);
        // the last stage stashes nothing: always allowed
        assertThat(over.of(1, 1, 3, first, ideals.full())).isFinite();
    }

    @Test
    void overMachinesPricesAStageAsTheBestPipelineOfOneMachine() {
        Ideals ideals = Ideals.of(4, DIAMOND, 10).orElseThrow();
        PipeDreamCost lower = new PipeDreamCost(ideals, PROFILE, DIAMOND, new PipeDreamCost.Network(2, 10, false, Double.POSITIVE_INFINITY));
        PipeDreamCost upper = PipeDreamCost.overMachines(ideals, PROFILE, DIAMOND,
                new PipeDreamCost.Network(2, 5, false, Double.POSITIVE_INFINITY), 2, lower);
        // every block on one machine of 2 workers: 1 stage on 2 replicas costs (10 + 4 x 100 / 20) / 2 = 15; the best of
        // 2 stages is {0, 2} | {1, 3} or {0, 1, 2} | {3}, max(4, 6) = max(6, 4) = 6
        assertThat(ReplicaPartitioner.bottleneckFrom(ideals, 0, 2, lower)[ideals.full()]).isEqualTo(6.0);
        // on 2 machines: (6 + 4 x 1 x (100 / 2 workers) / (5 x 2)) / 2 = 13: the first stage's all-reduce divided by 2
        assertThat(upper.of(0, 0, 2, 0, ideals.full())).isEqualTo(13.0);
        // a later stage {2, 3} on 1 machine: its pipeline {2} | {3} takes max(3, 4) = 4 (one stage on 2 workers: 10.5)
        assertThat(upper.of(1, 1, 1, ideal(ideals, 0, 1), ideals.full())).isEqualTo(4.0);
        // and on 2 machines the all-reduce is not divided: (4 + 4 x 1 x 70 / (5 x 2)) / 2 = 16
        assertThat(upper.of(1, 0, 2, ideal(ideals, 0, 1), ideals.full())).isEqualTo(16.0);
    }
}
