package org.modelpar.solver;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;

/**
 * What the {@link Planner}'s searches at every ZeRO stage share, as it does not depend on the stage: the blocks and
 * their placement program (ideals, frontier), and the blocks' prices (keyed by the ZeRO stage where it matters,
 * {@link BlockProbe}).
 */
record SharedBlocks(StagePlacer placer, BlockProbe probe) {
    static SharedBlocks of(ComputationGraph graph, ClusterSpec cluster, CostModel cost, PlanRequest request) {
        StagePlacer placer = StagePlacer.of(graph, request.maxBlocks());
        return new SharedBlocks(placer, new BlockProbe(graph, cluster, cost, placer.blocks()));
    }
}
