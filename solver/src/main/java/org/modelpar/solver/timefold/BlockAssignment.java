package org.modelpar.solver.timefold;

import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.lookup.PlanningId;
import ai.timefold.solver.core.api.domain.variable.PlanningVariable;

/** The planning entity: which stage a block runs on. Mutable, as Timefold requires; package use only. */
@PlanningEntity
public class BlockAssignment {
    @PlanningId
    private Integer id;
    private Block block;
    @PlanningVariable
    private StageSlot stage;

    public BlockAssignment() {
    }

    public BlockAssignment(Block block, StageSlot stage) {
        this.id = block.index();
        this.block = block;
        this.stage = stage;
    }

    public Integer getId() {
        return id;
    }

    public Block getBlock() {
        return block;
    }

    public StageSlot getStage() {
        return stage;
    }

    public void setStage(StageSlot stage) {
        this.stage = stage;
    }

    int blockIndex() {
        return block.index();
    }

    int stageIndex() {
        return stage.index();
    }

    long memoryBytes() {
        return block.memoryBytes()[stage.index()];
    }

    long stageNanos() {
        return block.stageNanos(stage.index());
    }

    @Override
    public String toString() {
        return block + "@" + stage.index();
    }
}
