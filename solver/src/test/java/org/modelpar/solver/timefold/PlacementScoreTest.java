package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlacementScoreTest {
    @Test
    void handComputedTwoStages() {
        // blocks 0, 1 on stage 0 and block 2 on stage 1; output of block 1 (bytes 400) read by block 2 over a link of
        // 100 ns latency and 1e9 B/s: a round trip of 2 x (100 + 400) = 1,000 ns on each side
        SlotLink link = new SlotLink(100, 1e9);
        List<Block> blocks = List.of(block(0, 10, 60), block(1, 20, 60), block(2, 5_000, 10));
        List<BlockLink> links = List.of(BlockLink.whole(0, 1, 7), BlockLink.whole(1, 2, 400));
        PlacementProblem problem = new PlacementProblem(blocks, links,
                List.of(new StageSlot(0, "s0", 100, link, link), new StageSlot(1, "s1", 100, link, link)));
        PlacementScore score = PlacementScore.of(problem, new int[] {0, 0, 1});
        assertThat(score).isEqualTo(new PlacementScore(20, 6_000, 400));
        assertThat(score.noWorseThan(new PlacementScore(20, 6_000, 400))).isTrue();
        assertThat(score.noWorseThan(new PlacementScore(20, 6_000, 399))).isFalse();
        assertThat(score.noWorseThan(new PlacementScore(21, 1, 1))).isTrue();
    }

    @Test
    void equalsTimefoldsScoreOnRandomDags() {
        Random random = new Random(31);
        PlacerSettings settings = new PlacerSettings(5, 200, 50, 2_000);
        for (int[] size : new int[][] {{30, 2}, {60, 4}, {120, 8}}) {
            PlacementProblem problem = TimefoldPlacerTest.randomDag(random, size[0], size[1], new SlotLink(5_000, 1e10));
            BlockPlacement placed = new TimefoldPlacer(settings, false).place(problem, TimefoldPlacer.seed(problem));
            PlacementScore score = PlacementScore.of(problem, placed.stageOfBlock());
            assertThat(score.bottleneckNanos()).as("n=%d k=%d", size[0], size[1]).isEqualTo(placed.bottleneckNanos());
            assertThat(score.trafficBytes()).isEqualTo(placed.crossStageBytes());
            assertThat(score.overBytes()).isZero();
        }
    }

    private static Block block(int index, long nanos, long bytes) {
        return new Block(index, "b" + index, new long[] {nanos, nanos}, new long[2], new long[] {bytes, bytes});
    }
}
