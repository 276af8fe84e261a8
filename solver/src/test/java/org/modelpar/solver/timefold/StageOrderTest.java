package org.modelpar.solver.timefold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageOrderTest {
    /** A diamond 0 -> {1, 2} -> 3 placed on stages 0, 0, 1, 1 of three. */
    private static final List<BlockLink> DIAMOND = List.of(BlockLink.whole(0, 1, 1), BlockLink.whole(0, 2, 1),
            BlockLink.whole(1, 3, 1), BlockLink.whole(2, 3, 1));

    private static List<BlockAssignment> placed(int... stageOf) {
        List<BlockAssignment> assignments = new ArrayList<>();
        for (int b = 0; b < stageOf.length; b++) {
            assignments.add(new BlockAssignment(new Block(b, "b" + b, new long[3], new long[3], new long[3]),
                    StageSlot.freeLinks(stageOf[b], Long.MAX_VALUE)));
        }
        return assignments;
    }

    @Test
    void movesWithinProducersAndConsumers() {
        StageOrder order = new StageOrder(4, DIAMOND);
        List<BlockAssignment> at = placed(0, 0, 1, 1);
        assertThat(order.keeps(at, 1, 1, -1, -1)).as("block 1 to stage 1, its consumer 3 on stage 1").isTrue();
        assertThat(order.keeps(at, 1, 2, -1, -1)).as("block 1 after its consumer 3 on stage 1").isFalse();
        assertThat(order.keeps(at, 2, 0, -1, -1)).isTrue();
        assertThat(order.keeps(at, 0, 1, -1, -1)).as("block 0 after its consumer 1 on stage 0").isFalse();
        assertThat(order.keeps(at, 3, 2, -1, -1)).isTrue();
        assertThat(order.keeps(at, 3, 0, -1, -1)).as("block 3 before its producer 2 on stage 1").isFalse();
    }

    @Test
    void swapChecksEachBlockWithTheOthersNewStage() {
        StageOrder order = new StageOrder(4, DIAMOND);
        List<BlockAssignment> at = placed(0, 0, 1, 1);
        // swapping 1 (stage 0) and 2 (stage 1): neither is the other's producer, both stay between 0 and 3
        assertThat(order.keeps(at, 1, 1, 2, 0) && order.keeps(at, 2, 0, 1, 1)).isTrue();
        // swapping 0 (stage 0) and 3 (stage 1) reverses every path
        assertThat(order.keeps(at, 0, 1, 3, 0)).isFalse();
        // swapping 0 (stage 0) and 2 (stage 1): 0 would follow its consumer 1
        assertThat(order.keeps(at, 0, 1, 2, 0)).isFalse();
    }
}
