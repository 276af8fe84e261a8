package org.modelpar.simulator.program;

import java.util.List;

/**
 * Ring all-reduce of a stage's gradients across its data-parallel group (devices with the same tensor
 * rank); every member's program holds the same instruction.
 *
 * @param stage stage index
 * @param group device ids of the group, in ring order
 * @param bytes gradient bytes per device
 */
public record AllReduce(int stage, List<String> group, long bytes) implements Instruction {
    public AllReduce {
        group = List.copyOf(group);
    }

    @Override
    public String name() {
        return "allreduce s" + stage;
    }
}
