package org.modelpar.solver.timefold;

import ai.timefold.solver.core.api.score.director.ScoreDirector;
import ai.timefold.solver.core.impl.heuristic.move.Move;
import ai.timefold.solver.core.impl.heuristic.selector.common.decorator.SelectionFilter;
import ai.timefold.solver.core.impl.heuristic.selector.move.generic.ChangeMove;
import ai.timefold.solver.core.impl.heuristic.selector.move.generic.SwapMove;

/**
 * Keeps only the change and swap moves after which every tensor still goes to the same or a later stage. The
 * local search starts from an ordered placement (the dynamic program's), and a move that sends a tensor backwards
 * breaks the hard stage-order constraint, so it is never accepted: filtering it out before it is scored changes
 * which placements the search can reach not at all and saves scoring it (on a random DAG of 1,000 ops most
 * random moves are such). Stateless.
 */
public final class StageOrderFilter implements SelectionFilter<PlacementSolution, Move<PlacementSolution>> {
    @Override
    public boolean accept(ScoreDirector<PlacementSolution> director, Move<PlacementSolution> move) {
        PlacementSolution solution = director.getWorkingSolution();
        if (move instanceof ChangeMove<PlacementSolution> change) {
            BlockAssignment a = (BlockAssignment) change.getEntity();
            return solution.stageOrder().keeps(solution.getAssignments(), a.blockIndex(),
                    ((StageSlot) change.getToPlanningValue()).index(), -1, -1);
        }
        if (move instanceof SwapMove<PlacementSolution> swap) {
            BlockAssignment left = (BlockAssignment) swap.getLeftEntity();
            BlockAssignment right = (BlockAssignment) swap.getRightEntity();
            StageOrder order = solution.stageOrder();
            return order.keeps(solution.getAssignments(), left.blockIndex(), right.stageIndex(), right.blockIndex(), left.stageIndex())
                    && order.keeps(solution.getAssignments(), right.blockIndex(), left.stageIndex(), left.blockIndex(), right.stageIndex());
        }
        return true;
    }
}
