package org.modelpar.solver.timefold;

import java.util.List;

/**
 * The inner placement problem, immutable: blocks in chain (topological) order, their links and the stages.
 *
 * @param blocks blocks, {@code blocks.get(i).index() == i}
 * @param links  block-to-block tensors
 * @param stages stages, {@code stages.get(s).index() == s}
 */
public record PlacementProblem(List<Block> blocks, List<BlockLink> links, List<StageSlot> stages) {
    public PlacementProblem {
        blocks = List.copyOf(blocks);
        links = List.copyOf(links);
        stages = List.copyOf(stages);
        if (blocks.isEmpty() || stages.isEmpty()) {
            throw new IllegalArgumentException("need at least one block and one stage, got " + blocks.size() + " and " + stages.size());
        }
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (b.index() != i || b.computeNanos().length != stages.size()) {
                throw new IllegalArgumentException("block at " + i + " has index " + b.index() + " and "
                        + b.computeNanos().length + " stage costs for " + stages.size() + " stages");
            }
        }
        for (int s = 0; s < stages.size(); s++) {
            if (stages.get(s).index() != s) {
                throw new IllegalArgumentException("stage at " + s + " has index " + stages.get(s).index());
            }
        }
        for (BlockLink l : links) {
            if (l.from() >= blocks.size() || l.to() >= blocks.size() || l.from() > l.to()) {
                throw new IllegalArgumentException("link " + l + " must go forward between existing blocks");
            }
        }
    }
}
