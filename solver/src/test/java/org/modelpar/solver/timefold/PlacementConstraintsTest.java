package org.modelpar.solver.timefold;

import ai.timefold.solver.test.api.score.stream.ConstraintVerifier;
import org.junit.jupiter.api.Test;

class PlacementConstraintsTest {
    private final ConstraintVerifier<PlacementConstraints, PlacementSolution> verifier =
            ConstraintVerifier.build(new PlacementConstraints(), PlacementSolution.class, BlockAssignment.class);

    private static final StageSlot S0 = StageSlot.freeLinks(0, 100);
    private static final StageSlot S1 = StageSlot.freeLinks(1, 100);
    private static final StageSlot S2 = StageSlot.freeLinks(2, 100);

    /** A block costing {@code nanos} and {@code bytes} on every one of three stages. */
    private static BlockAssignment block(int index, long nanos, long bytes, StageSlot on) {
        return new BlockAssignment(new Block(index, "b" + index, new long[] {nanos, nanos, nanos},
                new long[] {0, 0, 0}, new long[] {bytes, bytes, bytes}), on);
    }

    @Test
    void stageOrderPenalized() {
        // 0 -> 1 goes from stage 2 back to stage 0: two stages back
        verifier.verifyThat(PlacementConstraints::stageOrder)
                .given(block(0, 1, 1, S2), block(1, 1, 1, S0), BlockLink.whole(0, 1, 8))
                .penalizesBy(2);
    }

    @Test
    void stageOrderUnpenalized() {
        verifier.verifyThat(PlacementConstraints::stageOrder)
                .given(block(0, 1, 1, S0), block(1, 1, 1, S0), block(2, 1, 1, S2), BlockLink.whole(0, 1, 8),
                        BlockLink.whole(1, 2, 8))
                .penalizesBy(0);
    }

    @Test
    void deviceMemoryPenalized() {
        // stage 0 holds 60 + 70 = 130 bytes of 100: 30 over; stage 1 holds 90, fine
        verifier.verifyThat(PlacementConstraints::deviceMemory)
                .given(block(0, 1, 60, S0), block(1, 1, 70, S0), block(2, 1, 90, S1))
                .penalizesBy(30);
    }

    @Test
    void deviceMemoryUnpenalized() {
        verifier.verifyThat(PlacementConstraints::deviceMemory)
                .given(block(0, 1, 60, S0), block(1, 1, 40, S0), block(2, 1, 100, S1))
                .penalizesBy(0);
    }

    @Test
    void bottleneckStageChargesAnOutputOncePerReceivingStage() {
        // block 0's 10-byte output feeds blocks 1 and 2, both on stage b: sent once, received once.
        // a: 5 ns + send 2 x (1 + 10) = 27 ns; b: 5 + 5 + receive 2 x (2 + 10) = 34 ns (per tensor it would be 58)
        StageSlot a = new StageSlot(0, "a", 100, SlotLink.FREE, new SlotLink(1, 1e9));
        StageSlot b = new StageSlot(1, "b", 100, new SlotLink(2, 1e9), SlotLink.FREE);
        BlockLink.Output output = new BlockLink.Output(0, 10);
        verifier.verifyThat(PlacementConstraints::bottleneckStage)
                .given(block(0, 5, 1, a), block(1, 5, 1, b), block(2, 5, 1, b), new BlockLink(0, 1, 10, output),
                        new BlockLink(0, 2, 10, output))
                .penalizesBy(34);
    }

    @Test
    void bottleneckStageChargesTheSenderOncePerReceivingStage() {
        // block 0's 10-byte output feeds block 1 on stage b and block 2 on stage c: a sends it twice,
        // 5 ns + 2 x 2 x (1 + 10) = 49 ns; b and c each 5 + 2 x (2 + 10) = 29 ns
        StageSlot a = new StageSlot(0, "a", 100, SlotLink.FREE, new SlotLink(1, 1e9));
        StageSlot b = new StageSlot(1, "b", 100, new SlotLink(2, 1e9), SlotLink.FREE);
        StageSlot c = new StageSlot(2, "c", 100, new SlotLink(2, 1e9), SlotLink.FREE);
        BlockLink.Output output = new BlockLink.Output(0, 10);
        verifier.verifyThat(PlacementConstraints::bottleneckStage)
                .given(block(0, 5, 1, a), block(1, 5, 1, b), block(2, 5, 1, c), new BlockLink(0, 1, 10, output),
                        new BlockLink(0, 2, 10, output))
                .penalizesBy(49);
    }

    @Test
    void bottleneckStagePenalizedBySlowestStageWithTransfers() {
        // stage 0: 5 + 5 = 10 ns compute (two equal blocks) + send 2 x (1 + 10 B / 1 GB/s = 10 ns) = 22 ns
        // stage 1: 15 ns compute + receive 2 x (2 + 10) = 24 ns -> the bottleneck is 39 ns
        StageSlot a = new StageSlot(0, "a", 100, SlotLink.FREE, new SlotLink(1, 1e9));
        StageSlot b = new StageSlot(1, "b", 100, new SlotLink(2, 1e9), SlotLink.FREE);
        verifier.verifyThat(PlacementConstraints::bottleneckStage)
                .given(block(0, 5, 1, a), block(1, 5, 1, a), block(2, 15, 1, b), BlockLink.whole(1, 2, 10))
                .penalizesBy(39);
    }

    @Test
    void bottleneckStageInternalLinksAreFree() {
        StageSlot a = new StageSlot(0, "a", 100, new SlotLink(1, 1e9), new SlotLink(1, 1e9));
        verifier.verifyThat(PlacementConstraints::bottleneckStage)
                .given(block(0, 5, 1, a), block(1, 7, 1, a), BlockLink.whole(0, 1, 1000))
                .penalizesBy(12);
    }

    @Test
    void crossStageTrafficPenalized() {
        verifier.verifyThat(PlacementConstraints::crossStageTraffic)
                .given(block(0, 1, 1, S0), block(1, 1, 1, S1), block(2, 1, 1, S1), BlockLink.whole(0, 1, 64),
                        BlockLink.whole(0, 2, 32), BlockLink.whole(1, 2, 1000))
                .penalizesBy(96);
    }

    @Test
    void crossStageTrafficUnpenalized() {
        verifier.verifyThat(PlacementConstraints::crossStageTraffic)
                .given(block(0, 1, 1, S1), block(1, 1, 1, S1), BlockLink.whole(0, 1, 64))
                .penalizesBy(0);
    }
}
