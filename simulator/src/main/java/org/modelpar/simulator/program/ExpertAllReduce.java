package org.modelpar.simulator.program;

import java.util.List;

/**
 * Ring all-reduce of the gradients of the routed experts a device holds under expert parallelism, over the
 * replicas of its stage that hold the same experts (same position in their expert-parallel group, same tensor
 * rank); the stage's other gradients go through its data-parallel {@link AllReduce}. Placed and gated like it.
 *
 * @param stage            stage index
 * @param group            the expert-data-parallel group, in replica order
 * @param bytes            expert gradient bytes per device
 * @param overlapsBackward whether it is placed before the last backward and gates only the {@link OptimizerStep}
 */
public record ExpertAllReduce(int stage, List<String> group, long bytes, boolean overlapsBackward) implements Collective {
    public ExpertAllReduce {
        group = List.copyOf(group);
    }

    @Override
    public int ringPasses() {
        return 2;
    }

    @Override
    public String name() {
        return "allreduce experts s" + stage + (overlapsBackward ? " overlapped" : "");
    }
}
