package org.modelpar.simulator.program;

import java.util.List;

/**
 * Ring reduce-scatter of a stage's gradients over its data-parallel group (ZeRO stages 1-3 and Megatron-LM's
 * distributed optimizer: each member keeps the sum of its 1/d shard; Rajbhandari et al., "ZeRO", SC 2020,
 * section 7). Placed and gated like the data-parallel {@link AllReduce} it replaces.
 *
 * @param stage            stage index
 * @param group            the stage's devices with this tensor rank, in replica order
 * @param bytes            gradient bytes per device before the reduction (each member ends with bytes / d)
 * @param overlapsBackward whether it is placed before the last backward and gates only the {@link OptimizerStep}
 */
public record ReduceScatter(int stage, List<String> group, long bytes, boolean overlapsBackward) implements Collective {
    public ReduceScatter {
        group = List.copyOf(group);
    }

    @Override
    public int ringPasses() {
        return 1;
    }

    @Override
    public String name() {
        return "reducescatter s" + stage + (overlapsBackward ? " overlapped" : "");
    }
}
