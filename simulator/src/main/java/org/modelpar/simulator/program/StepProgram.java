package org.modelpar.simulator.program;

import java.util.List;
import org.modelpar.simulator.plan.PlacementPlan;

/**
 * A plan lowered to one instruction list per device for one training step.
 *
 * @param plan     the plan it was lowered from
 * @param programs one program per device of the plan, in stage then device order
 */
public record StepProgram(PlacementPlan plan, List<DeviceProgram> programs) {
    public StepProgram {
        programs = List.copyOf(programs);
    }

    public int instructionCount() {
        return programs.stream().mapToInt(p -> p.instructions().size()).sum();
    }
}
