package org.modelpar.simulator.program;

/** An instruction of the compute stream: {@link Compute}, {@link Free}, {@link OptimizerStep}. */
public sealed interface ComputeInstruction extends Instruction permits Compute, Free, OptimizerStep {
    @Override
    default Stream stream() {
        return Stream.COMPUTE;
    }

    /** Compute moves no bytes between devices. */
    @Override
    default long bytes() {
        return 0;
    }
}
