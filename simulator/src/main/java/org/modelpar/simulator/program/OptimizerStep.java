package org.modelpar.simulator.program;

/** Applies the optimizer to this device's parameters of the stage. */
public record OptimizerStep(int stage) implements Instruction {
    @Override
    public String name() {
        return "optimizer s" + stage;
    }

    @Override
    public Stream stream() {
        return Stream.COMPUTE;
    }

    @Override
    public long bytes() {
        return 0;
    }
}
