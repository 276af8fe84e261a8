package org.modelpar.solver.timefold;

import ai.timefold.solver.core.api.score.buildin.bendablelong.BendableLongScore;
import ai.timefold.solver.core.api.solver.SolutionManager;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.heuristic.selector.move.composite.UnionMoveSelectorConfig;
import ai.timefold.solver.core.config.heuristic.selector.move.generic.ChangeMoveSelectorConfig;
import ai.timefold.solver.core.config.heuristic.selector.move.generic.SwapMoveSelectorConfig;
import ai.timefold.solver.core.config.localsearch.LocalSearchPhaseConfig;
import ai.timefold.solver.core.config.phase.custom.CustomPhaseConfig;
import ai.timefold.solver.core.config.solver.EnvironmentMode;
import ai.timefold.solver.core.config.solver.SolverConfig;
import ai.timefold.solver.core.config.solver.termination.TerminationConfig;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.solver.partition.ChainPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inner placement: seeds Timefold with the dynamic program's optimal chain split (a custom
 * construction phase), then improves it by local search under the full constraints (heterogeneous stages,
 * memory, DAG links, communication). Only moves that keep every tensor going to the same or a later stage are
 * scored ({@link StageOrderFilter}). Deterministic for a seed (see {@link PlacerSettings}).
 */
public final class TimefoldPlacer {
    private static final Logger LOG = LoggerFactory.getLogger(TimefoldPlacer.class);

    private final PlacerSettings settings;
    private final boolean filtersOrder;

    public TimefoldPlacer(PlacerSettings settings) {
        this(settings, true);
    }

    /** With {@code filtersOrder} false, moves that send a tensor backwards are scored too (the reference in tests). */
    TimefoldPlacer(PlacerSettings settings, boolean filtersOrder) {
        this.settings = settings;
        this.filtersOrder = filtersOrder;
    }

    /** Places the blocks; the result may be infeasible ({@link BlockPlacement#feasible()} false). */
    public BlockPlacement place(PlacementProblem problem) {
        return place(problem, seed(problem));
    }

    /**
     * Places the blocks starting from a given stage per block instead of the dynamic program's split. A start that
     * no order-keeping move improves or equals ({@link LocalOptimum}) is returned without a search: the search would
     * spend its move budget and return it.
     *
     * @throws IllegalArgumentException when the seed sends a tensor to an earlier stage
     */
    public BlockPlacement place(PlacementProblem problem, int[] seed) {
        if (seed.length != problem.blocks().size()) {
            throw new IllegalArgumentException("seed has " + seed.length + " entries for " + problem.blocks().size() + " blocks");
        }
        for (BlockLink l : problem.links()) {
            if (seed[l.from()] > seed[l.to()]) {
                throw new IllegalArgumentException("seed puts block " + l.from() + " on stage " + seed[l.from()]
                        + " after its consumer block " + l.to() + " on stage " + seed[l.to()] + "; the search keeps the stage order");
            }
        }
        if (filtersOrder && LocalOptimum.isStrict(problem, seed)) {
            PlacementScore score = PlacementScore.of(problem, seed);
            return new BlockPlacement(seed.clone(), score.overBytes() == 0, score.bottleneckNanos(), score.trafficBytes());
        }
        SolverConfig config = new SolverConfig()
                .withSolutionClass(PlacementSolution.class)
                .withEntityClasses(BlockAssignment.class)
                .withConstraintProviderClass(PlacementConstraints.class)
                .withEnvironmentMode(EnvironmentMode.NO_ASSERT)
                .withRandomSeed(settings.seed())
                .withPhases(new CustomPhaseConfig().withCustomPhaseCommands(new SeedPhase(seed)),
                        new LocalSearchPhaseConfig().withMoveSelectorConfig(moves())
                                .withTerminationConfig(new TerminationConfig()
                                .withStepCountLimit(settings.stepLimit())
                                .withUnimprovedStepCountLimit(settings.unimprovedStepLimit())
                                .withMoveCountLimit(settings.moveLimit())));
        SolverFactory<PlacementSolution> factory = SolverFactory.create(config);
        PlacementSolution best = factory.buildSolver().solve(toSolution(problem));
        LOG.debug("placement search of {} blocks on {} stages: bottleneck {} ns", problem.blocks().size(),
                problem.stages().size(), -best.getScore().softScore(0));
        return toPlacement(best);
    }

    /** Timefold's default moves for one variable (change and swap), only those keeping the stage order when filtered. */
    private UnionMoveSelectorConfig moves() {
        UnionMoveSelectorConfig union = new UnionMoveSelectorConfig()
                .withMoveSelectors(new ChangeMoveSelectorConfig(), new SwapMoveSelectorConfig());
        return filtersOrder ? union.withFilterClass(StageOrderFilter.class) : union;
    }

    /** Timefold's score analysis of a given placement (no search) in words and seconds: one line per constraint. */
    public static List<String> analyze(PlacementProblem problem, int[] stageOfBlock) {
        PlacementSolution solution = toSolution(problem);
        for (BlockAssignment a : solution.getAssignments()) {
            a.setStage(problem.stages().get(stageOfBlock[a.getId()]));
        }
        SolverFactory<PlacementSolution> factory = SolverFactory.create(new SolverConfig()
                .withSolutionClass(PlacementSolution.class)
                .withEntityClasses(BlockAssignment.class)
                .withConstraintProviderClass(PlacementConstraints.class));
        return ScoreWords.of(problem, stageOfBlock, SolutionManager.<PlacementSolution, BendableLongScore>create(factory)
                .analyze(solution));
    }

    /** The stage per block of the DP optimum, or of the DP ignoring memory when nothing fits. */
    static int[] seed(PlacementProblem problem) {
        return ChainSeed.optimal(problem)
                .or(() -> ChainSeed.optimal(unlimitedMemory(problem)))
                .map(ChainPartition::stageOfBlock)
                .orElseGet(() -> spread(problem.blocks().size(), problem.stages().size()));
    }

    private static PlacementProblem unlimitedMemory(PlacementProblem p) {
        List<StageSlot> stages = p.stages().stream()
                .map(s -> new StageSlot(s.index(), s.label(), Long.MAX_VALUE, s.inbound(), s.outbound())).toList();
        return new PlacementProblem(p.blocks(), p.links(), stages);
    }

    /** Fewer blocks than stages: block b on stage b (later stages stay empty). */
    private static int[] spread(int blocks, int stages) {
        int[] stageOf = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            stageOf[b] = Math.min(b, stages - 1);
        }
        return stageOf;
    }

    static PlacementSolution toSolution(PlacementProblem problem) {
        List<BlockAssignment> assignments = new ArrayList<>();
        for (Block b : problem.blocks()) {
            assignments.add(new BlockAssignment(b, null));
        }
        return new PlacementSolution(new ArrayList<>(problem.stages()), new ArrayList<>(problem.links()), assignments);
    }

    private static BlockPlacement toPlacement(PlacementSolution best) {
        int[] stageOf = new int[best.getAssignments().size()];
        for (BlockAssignment a : best.getAssignments()) {
            stageOf[a.blockIndex()] = a.stageIndex();
        }
        BendableLongScore score = best.getScore();
        return new BlockPlacement(stageOf, score.isFeasible(), -score.softScore(0), -score.softScore(1));
    }
}
