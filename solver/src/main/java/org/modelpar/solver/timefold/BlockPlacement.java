package org.modelpar.solver.timefold;

import java.util.List;

/**
 * The result of the inner placement.
 *
 * @param stageOfBlock      stage index per block
 * @param feasible          no hard constraint broken
 * @param bottleneckNanos   slowest stage time per micro-batch (the {@code bottleneckStage} penalty)
 * @param crossStageBytes   bytes crossing stages per micro-batch
 * @param constraints       score analysis in words: one line per constraint, whether it holds and which stage binds by how much
 */
public record BlockPlacement(int[] stageOfBlock, boolean feasible, long bottleneckNanos, long crossStageBytes,
                             List<String> constraints) {
    public BlockPlacement {
        stageOfBlock = stageOfBlock.clone();
        constraints = List.copyOf(constraints);
    }

    @Override
    public int[] stageOfBlock() {
        return stageOfBlock.clone();
    }
}
