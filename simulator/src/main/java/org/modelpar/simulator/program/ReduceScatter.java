package org.modelpar.simulator.program;

import java.util.List;
import org.modelpar.simulator.cost.HostWork;

/**
 * Ring reduce-scatter of a stage's gradients over its data-parallel group (ZeRO stages 1-3 and Megatron-LM's
 * distributed optimizer: each member keeps the sum of its 1/d shard; Rajbhandari et al., "ZeRO", SC 2020,
 * section 7). With stages 1 and 2 it reduces the whole stage once per step, placed and gated like the
 * data-parallel {@link AllReduce} it replaces; with stage 3 it reduces one {@link org.modelpar.simulator.plan.ParameterUnit}
 * right after that unit's part of every backward (FSDP's post-backward reduce-scatter), overlapping the rest of the
 * backward and gating only the {@link OptimizerStep}.
 *
 * @param stage            stage index
 * @param group            the stage's devices with this tensor rank, in replica order
 * @param bytes            gradient bytes per device before the reduction (each member ends with bytes / d)
 * @param overlapsBackward whether it overlaps the backward and gates only the {@link OptimizerStep}
 * @param microBatch       the micro-batch of the backward it follows (stage 3), else 0
 * @param unit             the parameter unit (stage 3), or -1 for the whole stage
 * @param buckets          the ring reduce-scatters it runs one after another (the whole stage's, overlapped: in the
 *                         buckets of {@link org.modelpar.simulator.plan.GradientBuckets}), each paying its own latencies
 */
public record ReduceScatter(int stage, List<String> group, long bytes, boolean overlapsBackward, int microBatch, int unit,
                            int buckets) implements Collective {
    public ReduceScatter {
        group = List.copyOf(group);
        if (buckets < 1 || buckets > 1 && (!overlapsBackward || unit >= 0)) {
            throw new IllegalArgumentException("a reduce-scatter runs in 1 bucket, or several when it reduces the whole stage"
                    + " overlapped with the backward, got " + buckets);
        }
    }

    /** One ring reduce-scatter of a unit ({@code unit} >= 0) or of the whole stage ({@code buckets} 1). */
    public ReduceScatter(int stage, List<String> group, long bytes, boolean overlapsBackward, int microBatch, int unit) {
        this(stage, group, bytes, overlapsBackward, microBatch, unit, 1);
    }

    /** The whole stage's gradients, once per step, in one ring. */
    public ReduceScatter(int stage, List<String> group, long bytes, boolean overlapsBackward) {
        this(stage, group, bytes, overlapsBackward, 0, -1);
    }

    @Override
    public int ringPasses() {
        return 1;
    }

    @Override
    public int collectives() {
        return buckets;
    }

    @Override
    public boolean awaitsNextBackward() {
        return overlapsBackward && unit < 0;
    }

    @Override
    public HostWork hostWork() {
        return HostWork.reduceScatter(bytes, group.size(), buckets);
    }

    @Override
    public String name() {
        return "reducescatter s" + stage + (unit >= 0 ? " mb" + microBatch + " u" + unit : overlapsBackward ? " overlapped" : "");
    }
}
