package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.Block;
import org.modelpar.solver.timefold.ChainSeed;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.StageSlot;

/**
 * Interleaved chunks sharing a device, by hand: 8 blocks of 1 ns each on p = 2 device groups of 40 bytes with v = 2
 * chunks each (chunks 0 and 2 on group 0, 1 and 3 on group 1), placed by the exact chain program.
 */
class ChunkBudgetsTest {
    private static final Configuration INTERLEAVED = new Configuration(2, 1, 1, 1, 2, Schedule.INTERLEAVED, false, List.of(), 2, 1);
    private static final Function<PlacementProblem, Optional<IdealPartitioner.Result>> PROGRAM = problem -> ChainSeed.optimal(problem)
            .map(p -> new IdealPartitioner.Result(p.stageOfBlock(), p.bottleneck()));

    /** Blocks of 5 bytes: the balanced placement (2 blocks a chunk, 20 bytes a device) fits; its shares keep it. */
    @Test
    void theRelaxedPlacementThatFitsIsKept() {
        PlacementProblem relaxed = problem(5, 5);
        ChunkBudgets.Placed placed = ChunkBudgets.place(INTERLEAVED, relaxed, PROGRAM).orElseThrow();
        assertThat(placed.partition().bottleneck()).isEqualTo(2);
        assertThat(placed.partition().stageOfBlock()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
        // each chunk its 10 bytes and half of its device's 20 bytes of headroom
        assertThat(placed.problem().stages()).extracting(StageSlot::capacityBytes).containsExactly(20L, 20L, 20L, 20L);
    }

    /**
     * Block 0 of 30 bytes, the rest 5: the balanced placement puts 35 + 10 bytes on group 0, over its 40. A chunk with
     * 1/v of the device (20 bytes) cannot hold block 0, so only the shares of the relaxed placement (group 0: 40 x 35 /
     * 45 = 31 and 40 x 10 / 45 = 8 bytes) place it: chunk 0 holds block 0 alone, chunk 2 one block, and the 5 blocks
     * left take two chunks, 3 ns the slowest. That is the optimum with the chunks summed: with block 0 in chunk 0,
     * chunks 0 and 2 hold at most 3 blocks within 40 bytes.
     */
    @Test
    void anOverflowingDeviceSharesItsMemoryByTheChunksBytes() {
        PlacementProblem relaxed = problem(30, 5);
        ChunkBudgets.Placed placed = ChunkBudgets.place(INTERLEAVED, relaxed, PROGRAM).orElseThrow();
        assertThat(placed.problem().stages()).extracting(StageSlot::capacityBytes).startsWith(31L, 20L, 8L, 20L);
        assertThat(placed.partition().bottleneck()).isEqualTo(3);
        long[] groups = ChunkBudgets.groupBytes(INTERLEAVED, ChunkBudgets.chunkBytes(relaxed, placed.partition().stageOfBlock()));
        assertThat(Arrays.stream(groups).max().orElseThrow()).isLessThanOrEqualTo(40);
        PlacementProblem half = problem(30, 5, 20);
        assertThat(PROGRAM.apply(half)).as("1/v of the device for each chunk").isEmpty();
    }

    /** Nothing fits when the relaxation does not: no chunk has more than its whole device. */
    @Test
    void nothingFitsWhenTheRelaxationDoesNot() {
        assertThat(ChunkBudgets.place(INTERLEAVED, problem(41, 5), PROGRAM)).isEmpty();
    }

    private static PlacementProblem problem(long firstBytes, long bytes) {
        return problem(firstBytes, bytes, 40);
    }

    private static PlacementProblem problem(long firstBytes, long bytes, long capacity) {
        List<Block> blocks = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            long[] memory = new long[4];
            Arrays.fill(memory, b == 0 ? firstBytes : bytes);
            long[] compute = new long[4];
            Arrays.fill(compute, 1);
            blocks.add(new Block(b, "b" + b, compute, new long[4], memory));
        }
        List<StageSlot> stages = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            stages.add(StageSlot.freeLinks(s, capacity));
        }
        return new PlacementProblem(blocks, List.of(), stages);
    }
}
