package org.modelpar.simulator.program;

/** Applies the optimizer to this device's parameters of the stage. */
public record OptimizerStep(int stage) implements ComputeInstruction {
    @Override
    public String name() {
        return "optimizer s" + stage;
    }
}
