package org.modelpar.solver.timefold;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The blocks each block reads from and feeds (from the links), to tell whether moving blocks keeps every tensor
 * going to the same or a later stage. Immutable.
 */
final class StageOrder {
    private final int[][] producers;
    private final int[][] consumers;

    StageOrder(int blocks, List<BlockLink> links) {
        List<List<Integer>> from = new ArrayList<>();
        List<List<Integer>> to = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            from.add(new ArrayList<>());
            to.add(new ArrayList<>());
        }
        for (BlockLink l : links) {
            from.get(l.to()).add(l.from());
            to.get(l.from()).add(l.to());
        }
        producers = from.stream().map(l -> l.stream().distinct().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        consumers = to.stream().map(l -> l.stream().distinct().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /**
     * Whether block {@code block} on stage {@code stage} keeps its links in order, with block {@code other} on
     * {@code otherStage} (pass -1 for no other change) and every other block where {@code assignments} has it.
     */
    boolean keeps(List<BlockAssignment> assignments, int block, int stage, int other, int otherStage) {
        return keeps(b -> assignments.get(b).stageIndex(), block, stage, other, otherStage);
    }

    /** As {@link #keeps(List, int, int, int, int)} with every other block on {@code stageOf[b]}. */
    boolean keeps(int[] stageOf, int block, int stage, int other, int otherStage) {
        return keeps(b -> stageOf[b], block, stage, other, otherStage);
    }

    private boolean keeps(IntUnaryOperator stageOf, int block, int stage, int other, int otherStage) {
        for (int p : producers[block]) {
            if ((p == other ? otherStage : stageOf.applyAsInt(p)) > stage) {
                return false;
            }
        }
        for (int c : consumers[block]) {
            if ((c == other ? otherStage : stageOf.applyAsInt(c)) < stage) {
                return false;
            }
        }
        return true;
    }
}
