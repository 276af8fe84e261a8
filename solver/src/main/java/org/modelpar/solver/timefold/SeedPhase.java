package org.modelpar.solver.timefold;

import ai.timefold.solver.core.api.score.director.ScoreDirector;
import ai.timefold.solver.core.api.solver.phase.PhaseCommand;
import java.util.function.BooleanSupplier;

/**
 * Custom construction phase: assigns every block the stage of a given start placement (the dynamic
 * program's optimal chain partition), so local search starts from the chain optimum.
 */
final class SeedPhase implements PhaseCommand<PlacementSolution> {
    private final int[] stageOfBlock;

    SeedPhase(int[] stageOfBlock) {
        this.stageOfBlock = stageOfBlock.clone();
    }

    @Override
    public void changeWorkingSolution(ScoreDirector<PlacementSolution> director, BooleanSupplier isPhaseTerminated) {
        PlacementSolution solution = director.getWorkingSolution();
        for (BlockAssignment a : solution.getAssignments()) {
            StageSlot target = solution.getStages().get(stageOfBlock[a.blockIndex()]);
            director.beforeVariableChanged(a, "stage");
            a.setStage(target);
            director.afterVariableChanged(a, "stage");
            director.triggerVariableListeners();
        }
    }
}
