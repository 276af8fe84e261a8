package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.modelpar.solver.partition.IdealsTest.e;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdealPartitionerTest {
    @Test
    void diamondWithCommunicationHandComputed() {
        // a(1) -> b(4), a -> c(3), b -> d(2), c -> d(2); every output costs 1 on each side of a cut, once per
        // producer: {a,b}|{c,d} = 1+4 + out(a, b) 2 | 3+2 + in(a, b) 2 = 7 | 7; {a,c}|{b,d} = 6 | 8;
        // {a}|{b,c,d} = 2 | 10 (a's output charged once although b and c both read it); {a,b,c}|{d} = 10 | 4
        SetCost dag = new SetCost(4, List.of(e(0, 1), e(0, 2), e(1, 3), e(2, 3)),
                new double[] {1, 4, 3, 2}, new double[] {1, 1, 1, 0});
        IdealPartitioner.Result r = partition(dag, 2);
        assertThat(r.bottleneck()).isEqualTo(7);
        assertThat(r.stageOfBlock()).containsExactly(0, 0, 1, 1);
    }

    @Test
    void parallelBranchesBeatTheInterleavedOrder() {
        // branches a1(2) -> a2(4) and b1(3) -> b2(3), in the topological order a1 b1 a2 b2 (blocks 0 1 2 3):
        // contiguous splits of that order give 2|10, 5|7, 9|3, so at best 7; the ideal {a1, a2} gives 6|6
        SetCost dag = new SetCost(4, List.of(e(0, 2), e(1, 3)), new double[] {2, 3, 4, 3}, new double[4]);
        assertThat(ChainPartitioner.minimizeBottleneck(4, 2, (s, from, to) -> dag.of(s, range(from, to)))
                .orElseThrow().bottleneck()).isEqualTo(7);
        IdealPartitioner.Result r = partition(dag, 2);
        assertThat(r.bottleneck()).isEqualTo(6);
        assertThat(r.stageOfBlock()).containsExactly(0, 1, 0, 1);
    }

    @Test
    void onAChainItIsTheChainProgram() {
        Random random = new Random(3);
        for (int round = 0; round < 50; round++) {
            int n = 2 + random.nextInt(12);
            int k = 1 + random.nextInt(n);
            SetCost dag = SetCost.random(random, n, IdealsTest.chain(n));
            double chain = ChainPartitioner.minimizeBottleneck(n, k, (s, from, to) -> dag.of(s, range(from, to)))
                    .map(ChainPartition::bottleneck).orElse(Double.POSITIVE_INFINITY);
            double ideal = optimum(dag, k)
                    .map(IdealPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY);
            assertThat(ideal).isEqualTo(chain);
        }
    }

    @Test
    void equalsBruteForceOnSeededRandomDags() {
        Random random = new Random(11);
        int limited = 0;
        for (int round = 0; round < 150; round++) {
            int k = 2 + random.nextInt(3);
            int n = k + random.nextInt(k == 4 ? 5 : 7);
            List<int[]> edges = new ArrayList<>();
            for (int to = 1; to < n; to++) {
                for (int from = 0; from < to; from++) {
                    if (random.nextInt(4) == 0) {
                        edges.add(e(from, to));
                    }
                }
            }
            SetCost dag = SetCost.random(random, n, edges);
            if (round % 2 == 1) {
                dag = dag.withMemoryLimit(random);
                limited++;
            }
            double brute = BruteForce.bottleneck(dag, k);
            SetCost cost = dag;
            var dp = optimum(dag, k);
            assertThat(dp.map(IdealPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY))
                    .as("round %d, %d blocks, %d stages", round, n, k).isEqualTo(brute);
            dp.ifPresent(r -> assertThat(cost.evaluate(r.stageOfBlock(), k)).isEqualTo(r.bottleneck()));
        }
        assertThat(limited).isEqualTo(75);
    }

    private static IdealPartitioner.Result partition(SetCost dag, int k) {
        return optimum(dag, k).orElseThrow();
    }

    private static Optional<IdealPartitioner.Result> optimum(SetCost dag, int k) {
        Ideals ideals = Ideals.of(dag.blocks(), dag.edges(), 1 << 16).orElseThrow();
        return IdealPartitioner.minimizeBottleneck(ideals, k, dag.over(ideals));
    }

    private static long range(int from, int to) {
        return (1L << to) - (1L << from);
    }
}
