package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Timefold's score of a placement in words: which constraint binds, on which stage, by how much; no score levels. */
class ScoreWordsTest {
    /**
     * Stage 0: blocks of 300 + 200 us, 60 + 20 MiB of 100 MiB; stage 1: 400 us, 50 MiB. Block 1 sends 1 MB
     * to block 2 over 1 GB/s: 2 x 1 ms each way, so stage 0 takes 0.5 + 2 = 2.5 ms and stage 1 0.4 + 2 = 2.4 ms.
     */
    @Test
    void linesSayWhatBindsInSecondsAndBytes() {
        long mib = 1L << 20;
        Block b0 = new Block(0, "b0", new long[] {300_000, 300_000}, new long[2], new long[] {60 * mib, 60 * mib});
        Block b1 = new Block(1, "b1", new long[] {200_000, 200_000}, new long[2], new long[] {20 * mib, 20 * mib});
        Block b2 = new Block(2, "b2", new long[] {400_000, 400_000}, new long[2], new long[] {50 * mib, 50 * mib});
        SlotLink link = new SlotLink(0, 1e9);
        PlacementProblem problem = new PlacementProblem(List.of(b0, b1, b2),
                List.of(BlockLink.whole(0, 1, 10), BlockLink.whole(1, 2, 1_000_000)),
                List.of(new StageSlot(0, "s0", 100 * mib, SlotLink.FREE, link), new StageSlot(1, "s1", 100 * mib, link, SlotLink.FREE)));
        List<String> lines = TimefoldPlacer.analyze(problem, new int[] {0, 0, 1});
        assertThat(lines).containsExactly(
                "bottleneckStage: binds on stage 0, 0.002500 s per micro-batch (compute and all-reduce share 0.000500 s,"
                        + " transfers 0.002000 s), 0.000100 s (4.2%) above stage 1",
                "crossStageTraffic: 0.95 MiB received from other stages per micro-batch",
                "deviceMemory: holds; tightest stage 0: 80.00 MiB of 100.00 MiB usable, headroom 20.00 MiB",
                "stageOrder: holds, every tensor goes to the same or a later stage");
        assertThat(String.join("\n", lines)).doesNotContain("hard").doesNotContain("soft").doesNotContain("[");
    }

    /** A small model on a large device: its bytes in MiB, the device's in GiB (not "0.08 GiB"). */
    @Test
    void eachAmountIsInItsOwnUnit() {
        long mib = 1L << 20;
        Block b0 = new Block(0, "b0", new long[] {1, 1}, new long[2], new long[] {60 * mib, 60 * mib});
        Block b1 = new Block(1, "b1", new long[] {1, 1}, new long[2], new long[] {20 * mib, 20 * mib});
        PlacementProblem problem = new PlacementProblem(List.of(b0, b1), List.of(BlockLink.whole(0, 1, 10)),
                List.of(StageSlot.freeLinks(0, 80L << 30), StageSlot.freeLinks(1, 80L << 30)));
        assertThat(TimefoldPlacer.analyze(problem, new int[] {0, 0}))
                .contains("deviceMemory: holds; tightest stage 0: 80.00 MiB of 80.00 GiB usable, headroom 79.92 GiB");
    }

    @Test
    void brokenConstraintsSayByHowMuch() {
        long mib = 1L << 20;
        Block b0 = new Block(0, "b0", new long[] {1, 1}, new long[2], new long[] {70 * mib, 70 * mib});
        Block b1 = new Block(1, "b1", new long[] {1, 1}, new long[2], new long[] {50 * mib, 50 * mib});
        PlacementProblem problem = new PlacementProblem(List.of(b0, b1), List.of(BlockLink.whole(0, 1, 10)),
                List.of(StageSlot.freeLinks(0, 100 * mib), StageSlot.freeLinks(1, 100 * mib)));
        List<String> lines = TimefoldPlacer.analyze(problem, new int[] {1, 1});
        assertThat(lines).contains("deviceMemory: broken, 20.00 MiB over in all; stage 1 needs 120.00 MiB of 100.00 MiB usable");
        lines = TimefoldPlacer.analyze(problem, new int[] {1, 0});
        assertThat(lines).contains("stageOrder: broken, tensors go back 1 stages in all");
    }
}
