package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.solver.partition.ChainPartition;
import org.modelpar.solver.partition.ChainPartitioner;

class TimefoldPlacerTest {
    private static final PlacerSettings FAST = new PlacerSettings(7, 300, 100, 2_000);

    /** A chain of blocks with random compute, memory and activation sizes on homogeneous stages. */
    static PlacementProblem randomChain(Random random, int n, int k, SlotLink link, long capacity) {
        List<Block> blocks = new ArrayList<>();
        List<BlockLink> links = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            long nanos = 1 + random.nextInt(1_000_000);
            long bytes = random.nextInt(1000);
            long[] c = new long[k];
            long[] m = new long[k];
            java.util.Arrays.fill(c, nanos);
            java.util.Arrays.fill(m, bytes);
            blocks.add(new Block(b, "b" + b, c, new long[k], m));
            if (b > 0) {
                links.add(BlockLink.whole(b - 1, b, random.nextInt(1_000_000)));
            }
        }
        List<StageSlot> stages = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            stages.add(new StageSlot(s, "s" + s, capacity, link, link));
        }
        return new PlacementProblem(blocks, links, stages);
    }

    @Test
    void equalsDynamicProgramOnRandomChains() {
        Random random = new Random(2024);
        int[][] sizes = {{10, 2}, {40, 4}, {120, 8}, {300, 16}, {500, 64}};
        for (int[] size : sizes) {
            for (boolean withComm : new boolean[] {false, true}) {
                SlotLink link = withComm ? new SlotLink(5_000, 1e10) : SlotLink.FREE;
                PlacementProblem problem = randomChain(random, size[0], size[1], link, Long.MAX_VALUE);
                ChainPartition dp = ChainSeed.optimal(problem).orElseThrow();
                BlockPlacement tf = new TimefoldPlacer(FAST).place(problem);
                assertThat(tf.feasible()).isTrue();
                assertThat(tf.bottleneckNanos()).as("n=%d k=%d comm=%s", size[0], size[1], withComm)
                        .isEqualTo((long) dp.bottleneck());
                if (!withComm) {
                    double[] plain = problem.blocks().stream().mapToDouble(b -> b.computeNanos()[0]).toArray();
                    assertThat(ChainPartitioner.minimizeBottleneck(size[0], size[1], ChainPartitioner.summed(plain))
                            .orElseThrow().bottleneck()).isEqualTo(dp.bottleneck());
                }
            }
        }
    }

    /**
     * A seeded random DAG of n blocks in topological order: each block after the first reads one to three outputs
     * of the eight blocks before it (an output read by several blocks is one {@link BlockLink.Output}).
     */
    static PlacementProblem randomDag(Random random, int n, int k, SlotLink link) {
        List<Block> blocks = new ArrayList<>();
        List<BlockLink> links = new ArrayList<>();
        long[] outputBytes = new long[n];
        for (int b = 0; b < n; b++) {
            long[] c = new long[k];
            java.util.Arrays.fill(c, 1 + random.nextInt(1_000_000));
            blocks.add(new Block(b, "b" + b, c, new long[k], new long[k]));
            outputBytes[b] = random.nextInt(1_000_000);
            java.util.Set<Integer> producers = new java.util.TreeSet<>();
            for (int i = 0; b > 0 && i < 1 + random.nextInt(3); i++) {
                producers.add(Math.max(0, b - 1 - random.nextInt(8)));
            }
            for (int from : producers) {
                links.add(new BlockLink(from, b, outputBytes[from], new BlockLink.Output(from, outputBytes[from])));
            }
        }
        List<StageSlot> stages = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            stages.add(new StageSlot(s, "s" + s, Long.MAX_VALUE, link, link));
        }
        return new PlacementProblem(blocks, links, stages);
    }

    @Test
    void orderFilterIsNoWorseOnRandomDags() {
        // the filter drops only moves the search never accepts (they send a tensor backwards); the moves it scores
        // differ, so the placements may too: the bottleneck must be no worse than the unfiltered search's
        Random random = new Random(15);
        for (int[] size : new int[][] {{40, 2}, {80, 4}, {120, 8}, {200, 2}, {256, 4}}) {
            PlacementProblem problem = randomDag(random, size[0], size[1], new SlotLink(5_000, 1e10));
            int[] seed = TimefoldPlacer.seed(problem);
            BlockPlacement filtered = new TimefoldPlacer(PlacerSettings.forDag(3)).place(problem, seed);
            BlockPlacement reference = new TimefoldPlacer(PlacerSettings.forDag(3), false).place(problem, seed);
            assertThat(filtered.feasible()).isTrue();
            assertThat(filtered.bottleneckNanos()).as("n=%d k=%d", size[0], size[1])
                    .isLessThanOrEqualTo(reference.bottleneckNanos())
                    .isLessThanOrEqualTo((long) ChainSeed.optimal(problem).orElseThrow().bottleneck());
        }
    }

    @Test
    void localSearchReachesOptimumWithoutHelpOnSmallChain() {
        // start from a poor split (everything on stage 0) instead of the DP and let local search work
        PlacementProblem problem = randomChain(new Random(5), 12, 3, SlotLink.FREE, Long.MAX_VALUE);
        long optimum = (long) ChainSeed.optimal(problem).orElseThrow().bottleneck();
        BlockPlacement tf = new TimefoldPlacer(new PlacerSettings(3, 5_000, 2_000, 20_000))
                .place(problem, new int[12]);
        assertThat(tf.feasible()).isTrue();
        assertThat(tf.bottleneckNanos()).isEqualTo(optimum);
    }

    @Test
    void fixesMemoryTheChainOptimumBreaks() {
        // 4 equal blocks, 2 stages; block 0 is huge so stage 0 may hold only it: [0] [1 2 3]
        long[] bytes = {90, 10, 10, 10};
        List<Block> blocks = new ArrayList<>();
        List<BlockLink> links = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            blocks.add(new Block(b, "b" + b, new long[] {10, 10}, new long[2], new long[] {bytes[b], bytes[b]}));
            if (b > 0) {
                links.add(BlockLink.whole(b - 1, b, 1));
            }
        }
        PlacementProblem problem = new PlacementProblem(blocks, links,
                List.of(StageSlot.freeLinks(0, 95), StageSlot.freeLinks(1, 95)));
        BlockPlacement tf = new TimefoldPlacer(FAST).place(problem);
        assertThat(tf.feasible()).isTrue();
        assertThat(tf.stageOfBlock()).containsExactly(0, 1, 1, 1);
        assertThat(tf.bottleneckNanos()).isEqualTo(30);
        assertThat(TimefoldPlacer.analyze(problem, tf.stageOfBlock())).anyMatch(l -> l.startsWith("bottleneckStage"));
    }

    @Test
    void aSeedThatSendsATensorBackIsRefused() {
        PlacementProblem problem = randomChain(new Random(3), 3, 2, SlotLink.FREE, Long.MAX_VALUE);
        assertThatThrownBy(() -> new TimefoldPlacer(FAST).place(problem, new int[] {0, 1, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seed puts block 1 on stage 1 after its consumer block 2 on stage 0; the search keeps the stage order");
    }

    @Test
    void sameSeedSameResult() {
        PlacementProblem problem = randomChain(new Random(9), 30, 4, new SlotLink(100, 1e9), Long.MAX_VALUE);
        PlacerSettings s = new PlacerSettings(11, 2_000, 2_000, 5_000);
        BlockPlacement a = new TimefoldPlacer(s).place(problem, new int[30]);
        BlockPlacement b = new TimefoldPlacer(s).place(problem, new int[30]);
        assertThat(a.stageOfBlock()).isEqualTo(b.stageOfBlock());
        assertThat(a.bottleneckNanos()).isEqualTo(b.bottleneckNanos());
    }
}
