package org.modelpar.simulator.program;

import java.util.List;

/**
 * Ring all-gather of a stage's parameters over its data-parallel group, each member contributing its 1/d
 * shard (Rajbhandari et al., "ZeRO", SC 2020, section 7): after the {@link OptimizerStep} with ZeRO stages 1
 * and 2 (the updated shards), and with stage 3 before every forward and every backward {@link Compute} (the
 * parameters are not kept between uses). Gated like an {@link AllReduce}: it starts once every member has
 * finished the compute instruction before it, and the next compute instruction waits for it.
 *
 * @param stage      stage index
 * @param group      the stage's devices with this tensor rank, in replica order
 * @param bytes      parameter bytes gathered per device (the whole, not the shard)
 * @param phase      after the optimizer step, or before a forward or a backward
 * @param microBatch the micro-batch of the compute it precedes (0 after the optimizer step)
 */
public record AllGather(int stage, List<String> group, long bytes, Phase phase, int microBatch) implements Collective {
    public AllGather {
        group = List.copyOf(group);
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
    public String name() {
        return switch (phase) {
            case AFTER_STEP -> "allgather params s" + stage;
            case FORWARD -> "allgather params F s" + stage + " mb" + microBatch;
            case BACKWARD -> "allgather params B s" + stage + " mb" + microBatch;
        };
    }
}
