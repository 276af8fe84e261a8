package org.modelpar.solver.timefold;

import ai.timefold.solver.core.api.domain.solution.PlanningEntityCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.PlanningScore;
import ai.timefold.solver.core.api.domain.solution.PlanningSolution;
import ai.timefold.solver.core.api.domain.solution.ProblemFactCollectionProperty;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.score.buildin.bendablelong.BendableLongScore;
import java.util.List;

/**
 * The planning solution. Score levels, most important first: hard 0 = stage order (backward links),
 * hard 1 = bytes over device capacity, soft 0 = slowest stage in nanoseconds, soft 1 = bytes crossing stages.
 */
@PlanningSolution
public class PlacementSolution {
    @ValueRangeProvider
    @ProblemFactCollectionProperty
    private List<StageSlot> stages;
    @ProblemFactCollectionProperty
    private List<BlockLink> links;
    @PlanningEntityCollectionProperty
    private List<BlockAssignment> assignments;
    @PlanningScore(bendableHardLevelsSize = 2, bendableSoftLevelsSize = 2)
    private BendableLongScore score;
    private StageOrder stageOrder;

    public PlacementSolution() {
    }

    public PlacementSolution(List<StageSlot> stages, List<BlockLink> links, List<BlockAssignment> assignments) {
        this.stages = stages;
        this.links = links;
        this.assignments = assignments;
        this.stageOrder = new StageOrder(assignments.size(), links);
    }

    public List<StageSlot> getStages() {
        return stages;
    }

    public List<BlockLink> getLinks() {
        return links;
    }

    public List<BlockAssignment> getAssignments() {
        return assignments;
    }

    /** The blocks each block reads from and feeds, for {@link StageOrderFilter}. */
    StageOrder stageOrder() {
        return stageOrder;
    }

    public BendableLongScore getScore() {
        return score;
    }

    public void setScore(BendableLongScore score) {
        this.score = score;
    }
}
