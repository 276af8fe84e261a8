package org.modelpar.solver;

import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.StageSlot;

/**
 * Lower bounds of the training state (weights, gradients, optimizer state, {@link StateBytes}) a plan holds, from
 * the ZeRO rules of {@link org.modelpar.simulator.cost.ZeroSharding} (Rajbhandari et al., SC 2020, section 5): a
 * device of a stage with t tensor ranks and d replicas holds, of a block with P parameters, at least
 * {@code ceil(P / (t e))} per rank (e the expert-parallel degree, which only goes with ZeRO stage 0), all three
 * parts of it without ZeRO, the weights and gradients whole and a {@code 1/d} shard of the optimizer state with
 * stage 1, a shard of the gradients too with stage 2 (the units in flight are left out), a {@code 1/d} shard of each
 * with stage 3; d is at most the devices over t.
 *
 * <ul>
 *   <li>{@link #fitsNowhere}: summed over the devices, every plan holds each parameter's state at least once; when
 *       that exceeds the usable memory of all devices, no plan fits at any ZeRO stage.</li>
 *   <li>{@link #overflows}: the dynamic program's stages (even or with uneven replicas, {@link Hybrids}) hold the
 *       blocks' state between them, each within its capacity; when the blocks' least state exceeds the stages'
 *       capacities summed, no placement of the configuration fits, so it is not placed.</li>
 * </ul>
 */
final class StateLowerBound {
    private final long[] blockParameters;
    private final StateBytes bytes;
    private final int zeroStage;
    private final int devices;

    /**
     * @param request its ZeRO stage is the one the search prices blocks at (0 when open)
     */
    StateLowerBound(ComputationGraph graph, BlockSet blocks, ClusterSpec cluster, PlanRequest request) {
        this.blockParameters = blocks.opsOfBlock().stream().mapToLong(ops -> parameters(graph, ops)).toArray();
        this.bytes = StateBytes.of(request.precision(), request.optimizer());
        this.zeroStage = request.zeroStage().orElse(0);
        this.devices = cluster.devices().size();
    }

    /**
     * Whether the blocks' least state on configuration c's devices exceeds the capacities of the problem's stages
     * summed: then no placement of c, even or with uneven replicas, fits in memory.
     */
    boolean overflows(Configuration c, PlacementProblem problem) {
        // one stage per device group: an interleaved group's chunks share its memory
        long capacity = problem.stages().stream().limit(c.pipeline()).mapToLong(StageSlot::capacityBytes).reduce(0, Math::addExact);
        return leastBytes(c) > capacity;
    }

    /**
     * The least state of all blocks on one device of each stage of c summed, the stages' replicas and the ZeRO
     * stage as the search prices them: at most the sum over c's stages of what one device of each holds.
     */
    long leastBytes(Configuration c) {
        long replicas = devices / c.tensor();
        long least = 0;
        for (long parameters : blockParameters) {
            long held = -Math.floorDiv(-parameters, (long) c.tensor() * c.expertParallel());
            long shard = -Math.floorDiv(-held, replicas);
            long state = switch (zeroStage) {
                case 0 -> held * bytes.total();
                case 1 -> held * (bytes.parameters() + bytes.gradients()) + shard * bytes.optimizer();
                case 2 -> held * bytes.parameters() + shard * (bytes.gradients() + bytes.optimizer());
                default -> shard * bytes.total();
            };
            least = Math.addExact(least, state);
        }
        return least;
    }

    /** Bytes of weights, gradients and optimizer state of every parameter of the graph, held once. */
    static long totalBytes(ComputationGraph graph, PlanRequest request) {
        return Math.multiplyExact(parameters(graph, graph.ops().stream().map(OpNode::id).toList()),
                (long) StateBytes.of(request.precision(), request.optimizer()).total());
    }

    /** The usable memory (capacity minus the margin) of every device of the cluster, summed. */
    static long usableBytes(ClusterSpec cluster, PlanRequest request) {
        return cluster.devices().stream().map(ClusterDevice::profile)
                .mapToLong(p -> request.usableBytes(p.memoryBytes())).reduce(0, Math::addExact);
    }

    /** Whether no plan of the graph fits the cluster at any ZeRO stage: its state alone overflows all devices. */
    static boolean fitsNowhere(ComputationGraph graph, ClusterSpec cluster, PlanRequest request) {
        return totalBytes(graph, request) > usableBytes(cluster, request);
    }

    private static long parameters(ComputationGraph graph, List<String> ops) {
        return ops.stream().mapToLong(id -> graph.op(id).orElseThrow().parameterCount()).reduce(0, Math::addExact);
    }
}
