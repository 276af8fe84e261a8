package org.modelpar.solver.timefold;

/**
 * The result of the inner placement.
 *
 * @param stageOfBlock      stage index per block
 * @param feasible          no hard constraint broken
 * @param bottleneckNanos   slowest stage time per micro-batch (the {@code bottleneckStage} penalty)
 * @param crossStageBytes   bytes crossing stages per micro-batch
 */
public record BlockPlacement(int[] stageOfBlock, boolean feasible, long bottleneckNanos, long crossStageBytes) {
    public BlockPlacement {
        stageOfBlock = stageOfBlock.clone();
    }

    @Override
    public int[] stageOfBlock() {
        return stageOfBlock.clone();
    }
}
