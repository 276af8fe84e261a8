package org.modelpar.simulator.program;

import java.util.List;

/**
 * The expert-parallel all-to-alls of one forward or backward pass of a stage (token dispatch and combine of
 * every mixture-of-experts layer, {@link org.modelpar.simulator.cost.ExpertTraffic}) over the device's
 * expert-parallel group: the devices with its tensor rank in its group of e consecutive replicas. Placed after
 * the pass's {@link Compute} (and its {@link TensorCollective}); like that, the next compute and the sends after
 * it wait for it.
 *
 * @param stage       stage index
 * @param microBatch  micro-batch index
 * @param direction   the pass
 * @param group       the expert-parallel group, in replica order
 * @param bytes       the dispatched and combined tensors per device, summed
 * @param collectives how many all-to-alls (two per layer)
 */
public record ExpertAllToAll(int stage, int microBatch, Direction direction, List<String> group, long bytes,
                             int collectives) implements Collective {
    public ExpertAllToAll {
        group = List.copyOf(group);
    }

    /** One all-to-all moves {@code (e-1)/e x S} through each member's links, as one ring pass. */
    @Override
    public int ringPasses() {
        return 1;
    }

    @Override
    public String name() {
        return "a2a " + direction.shortName() + " s" + stage + " mb" + microBatch;
    }
}
