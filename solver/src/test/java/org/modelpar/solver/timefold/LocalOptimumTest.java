package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalOptimumTest {
    @Test
    void oneBlockPerStageOfEqualBlocksIsStrict() {
        // any block moved doubles a stage; a swap sends a tensor backwards
        assertThat(LocalOptimum.isStrict(chain(3, 10, 10, 10), new int[] {0, 1, 2})).isTrue();
    }

    @Test
    void aMoveThatKeepsTheBottleneckAndTrafficIsNotStrict() {
        // stage 0 holds 20 ns; block 1 to stage 1 leaves the slowest stage at 20 ns, traffic free: as good, accepted
        assertThat(LocalOptimum.isStrict(chain(2, 10, 10, 10), new int[] {0, 0, 1})).isFalse();
    }

    @Test
    void fromAStrictStartTheSearchReturnsTheStart() {
        // the reference search (every move scored, no shortcut) never leaves a strict local optimum either
        Random random = new Random(8);
        int strict = 0;
        for (int trial = 0; trial < 12; trial++) {
            PlacementProblem problem = TimefoldPlacerTest.randomChain(random, 20 + 10 * trial, 2 + trial % 4,
                    new SlotLink(5_000, 1e10), Long.MAX_VALUE);
            int[] seed = TimefoldPlacer.seed(problem);
            if (!LocalOptimum.isStrict(problem, seed)) {
                continue;
            }
            strict++;
            PlacerSettings settings = new PlacerSettings(3, 2_000, 300, 5_000);
            assertThat(new TimefoldPlacer(settings, false).place(problem, seed).stageOfBlock()).isEqualTo(seed);
            assertThat(new TimefoldPlacer(settings).place(problem, seed).stageOfBlock()).isEqualTo(seed);
        }
        assertThat(strict).isPositive();
    }

    /** A chain of blocks with the given compute on {@code stages} stages with free links. */
    private static PlacementProblem chain(int stages, long... nanos) {
        List<Block> blocks = new ArrayList<>();
        List<BlockLink> links = new ArrayList<>();
        for (int b = 0; b < nanos.length; b++) {
            long[] compute = new long[stages];
            java.util.Arrays.fill(compute, nanos[b]);
            blocks.add(new Block(b, "b" + b, compute, new long[stages], new long[stages]));
            if (b > 0) {
                links.add(BlockLink.whole(b - 1, b, 1));
            }
        }
        List<StageSlot> slots = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            slots.add(StageSlot.freeLinks(s, 100));
        }
        return new PlacementProblem(blocks, links, slots);
    }
}
