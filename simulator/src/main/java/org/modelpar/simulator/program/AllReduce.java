package org.modelpar.simulator.program;

import java.util.List;

/**
 * Ring all-reduce of gradients; every member's program holds the same instruction. Either a stage's
 * gradients across its data-parallel group (devices with the same tensor rank), or, with {@code tiedOp},
 * the gradient of the weight that op shares with ops on other stages (a tied word embedding) across every
 * device holding a copy (Megatron-LM's embedding group), after each stage's data-parallel all-reduce.
 *
 * @param stage  stage index (for a tied weight: the stage of the op that owns it)
 * @param group  device ids of the group, in ring order
 * @param bytes  gradient bytes per device
 * @param tiedOp the op whose shared weight is reduced, or empty for the stage's data-parallel all-reduce
 */
public record AllReduce(int stage, List<String> group, long bytes, String tiedOp) implements CommunicationInstruction {
    public AllReduce {
        group = List.copyOf(group);
        if (tiedOp == null) {
            throw new IllegalArgumentException("tiedOp must not be null (empty for a data-parallel all-reduce)");
        }
    }

    /** A stage's data-parallel all-reduce. */
    public AllReduce(int stage, List<String> group, long bytes) {
        this(stage, group, bytes, "");
    }

    @Override
    public String name() {
        return tiedOp.isEmpty() ? "allreduce s" + stage : "allreduce tied " + tiedOp;
    }
}
