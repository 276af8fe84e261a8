package org.modelpar.simulator.program;

import java.util.List;

/**
 * Ring all-gather of a stage's parameters over its data-parallel group, each member contributing its 1/d
 * shard (Rajbhandari et al., "ZeRO", SC 2020, section 7): after the {@link OptimizerStep} with ZeRO stages 1
 * and 2 (the updated shards, the whole stage), and with stage 3 of each {@link org.modelpar.simulator.plan.ParameterUnit}
 * before its part of every forward and backward {@link Compute} (the parameters are not kept between uses). Gated
 * like an {@link AllReduce}: it starts once every member has finished the compute instruction before it, and the
 * next compute instruction waits for it. A prefetching gather (FSDP's forward and backward prefetch, Zhao et al.,
 * VLDB 2023, section 3.3.2) is placed before the compute of the unit ahead of its own: it also waits for the
 * device's previous parameter gather (one all-gather stream), and gates the compute after the next one, its unit's.
 *
 * @param stage      stage index
 * @param group      the stage's devices with this tensor rank, in replica order
 * @param bytes      parameter bytes gathered per device (the whole, not the shard)
 * @param phase      after the optimizer step, or before a forward or a backward
 * @param microBatch the micro-batch of the compute it precedes (0 after the optimizer step)
 * @param unit       the parameter unit (stage 3), or -1 for the whole stage
 * @param prefetch   whether it is a prefetch
 */
public record AllGather(int stage, List<String> group, long bytes, Phase phase, int microBatch, int unit, boolean prefetch)
        implements Collective {
    public AllGather {
        group = List.copyOf(group);
        if (unit < -1 || (prefetch && unit < 0)) {
            throw new IllegalArgumentException("an all-gather's unit is -1 (the stage) or a unit index, and only a unit's"
                    + " gather prefetches; got unit " + unit + ", prefetch " + prefetch);
        }
    }

    /** The whole stage's parameters. */
    public AllGather(int stage, List<String> group, long bytes, Phase phase, int microBatch) {
        this(stage, group, bytes, phase, microBatch, -1, false);
    }

    /** When the parameters are gathered. */
    public enum Phase {
        AFTER_STEP, FORWARD, BACKWARD
    }

    @Override
    public int ringPasses() {
        return 1;
    }

    @Override
    public boolean prefetches() {
        return prefetch;
    }

    @Override
    public String name() {
        String unitName = unit < 0 ? "" : " u" + unit;
        return switch (phase) {
            case AFTER_STEP -> "allgather params s" + stage;
            case FORWARD -> "allgather params F s" + stage + " mb" + microBatch + unitName;
            case BACKWARD -> "allgather params B s" + stage + " mb" + microBatch + unitName;
        };
    }
}
