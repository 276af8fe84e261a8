package org.modelpar.solver;

import java.util.Arrays;
import java.util.Optional;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.partition.Ideals;
import org.modelpar.solver.timefold.ChainSeed;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.SplitCost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dynamic program that places each configuration's blocks: over the ideals of the block DAG
 * ({@link IdealPartitioner}, exact for the stage times of {@link SplitCost}) when the blocks form a DAG
 * with at most {@link #MAX_IDEALS} ideals, else over contiguous ranges of the block order
 * ({@link ChainSeed}: exact on a chain; on a larger DAG an approximation that Timefold then refines). The
 * ideals are enumerated once per search and reused by every configuration.
 */
final class StagePlacer {
    private static final Logger LOG = LoggerFactory.getLogger(StagePlacer.class);
    /** Above this many ideals the DAG is placed along its block order (each configuration visits every nested pair). */
    static final int MAX_IDEALS = 5_000;

    private final Optional<Ideals> ideals;
    private final int[] pinnedStage;
    private final String method;

    private StagePlacer(Optional<Ideals> ideals, int[] pinnedStage, String method) {
        this.ideals = ideals;
        this.pinnedStage = pinnedStage.clone();
        this.method = method;
    }

    /**
     * @param pinnedStage stage per block, -1 when free
     */
    static StagePlacer of(BlockSet blocks, int[] pinnedStage) {
        if (blocks.isChain()) {
            return new StagePlacer(Optional.empty(), pinnedStage, "exact dynamic program over the chain of "
                    + blocks.size() + " blocks");
        }
        Optional<Ideals> ideals = Ideals.of(blocks.size(), blocks.edges(), MAX_IDEALS);
        if (ideals.isEmpty()) {
            String reason = "the DAG of " + blocks.size() + " blocks has more than " + MAX_IDEALS + " ideals";
            LOG.info("{}: placing along the block order, refined by Timefold", reason);
            return new StagePlacer(ideals, pinnedStage, "dynamic program along the block order refined by Timefold ("
                    + reason + ", too many for the exact program)");
        }
        return new StagePlacer(ideals, pinnedStage, "exact dynamic program over the " + ideals.get().count()
                + " ideals of the DAG of " + blocks.size() + " blocks");
    }

    /** Whether the placement is the optimum of the stage times (a chain, or a DAG whose ideals were enumerated). */
    boolean exact(BlockSet blocks) {
        return blocks.isChain() || ideals.isPresent();
    }

    /** How the blocks are placed, for the explanation. */
    String method() {
        return method;
    }

    /** The placement minimizing the slowest stage, or empty when none fits in memory. */
    Optional<IdealPartitioner.Result> place(PlacementProblem problem) {
        int k = problem.stages().size();
        if (k > problem.blocks().size()) {
            return Optional.empty();
        }
        boolean pins = Arrays.stream(pinnedStage).anyMatch(s -> s >= 0);
        if (ideals.isEmpty()) {
            return (pins ? ChainSeed.optimal(problem, pinnedStage) : ChainSeed.optimal(problem))
                    .map(p -> new IdealPartitioner.Result(p.stageOfBlock(), p.bottleneck()));
        }
        Ideals all = ideals.get();
        SplitCost cost = new SplitCost(problem, all);
        return IdealPartitioner.minimizeBottleneck(all, k, !pins ? cost : (s, inner, outer) ->
                pinnedElsewhere(all, s, inner, outer) ? Double.POSITIVE_INFINITY : cost.of(s, inner, outer));
    }

    private boolean pinnedElsewhere(Ideals all, int stage, int inner, int outer) {
        for (int b = 0; b < pinnedStage.length; b++) {
            if (pinnedStage[b] >= 0 && pinnedStage[b] != stage && all.contains(outer, b) && !all.contains(inner, b)) {
                return true;
            }
        }
        return false;
    }
}
