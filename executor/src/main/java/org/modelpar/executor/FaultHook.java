package org.modelpar.executor;

import org.modelpar.simulator.program.Instruction;

/** Called by every device before each instruction; tests throw from it to kill a worker mid-step. */
@FunctionalInterface
public interface FaultHook {
    void beforeInstruction(String device, int step, int index, Instruction instruction);

    /** No faults. */
    static FaultHook none() {
        return (device, step, index, instruction) -> { };
    }
}
