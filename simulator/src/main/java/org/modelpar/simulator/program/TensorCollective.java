package org.modelpar.simulator.program;

import java.util.List;
import org.modelpar.simulator.cost.HostWork;

/**
 * The tensor-parallel collectives of one forward or backward pass of a stage over a replica's t devices
 * (Shoeybi et al., "Megatron-LM", 2019, section 3: two all-reduces per transformer layer each way, one per
 * other layer with parameters; with sequence parallelism reduce-scatters and all-gathers, one ring pass each, as
 * {@link org.modelpar.simulator.plan.TensorSplit#sequenceParallelPasses} lists them, Korthikanti et al. 2022, section
 * 4.2.2). Placed right
 * after its {@link Compute}; the compute instruction and the sends after it wait for it (the stage's output
 * is only complete once its last collective has run). It runs on the node's links as a flow, sharing them
 * with the other traffic of the tensor ranks. With sequence parallelism a stage also has one at the end of the step
 * ({@link #stepEnd}, micro-batch {@value #STEP_END}): the all-reduce of its layer norms' gradients, once per step as
 * Megatron-LM runs it ({@link org.modelpar.simulator.plan.TensorSplit#sequenceParallelNorm}).
 *
 * @param stage       stage index
 * @param microBatch  micro-batch index, or {@value #STEP_END} for the step-end all-reduce of the layer norms' gradients
 * @param direction   the pass whose collectives these are (a recomputing backward includes the recomputed
 *                    forward's)
 * @param group       the replica's devices, in tensor-rank order
 * @param bytes       the collectives' tensors per device, summed
 * @param collectives how many collectives (each pays its ring latencies): all-reduces, or sequence parallelism's
 *                    ring passes
 * @param kind        all-reduces or sequence parallelism's reduce-scatter and all-gather passes
 */
public record TensorCollective(int stage, int microBatch, Direction direction, List<String> group, long bytes,
                               int collectives, Kind kind) implements Collective {
    /** The micro-batch index of the step-end all-reduce of the layer norms' gradients ({@link #stepEnd}). */
    public static final int STEP_END = -1;

    public TensorCollective {
        group = List.copyOf(group);
        if (collectives < 1 || bytes < 0) {
            throw new IllegalArgumentException("a tensor collective needs at least 1 collective and bytes >= 0, got "
                    + collectives + " and " + bytes);
        }
        if (microBatch < 0 && (microBatch != STEP_END || collectives != 1 || kind != Kind.ALL_REDUCE)) {
            throw new IllegalArgumentException("a tensor collective runs in micro-batch 0 or later, or at the step end as one"
                    + " all-reduce, got micro-batch " + microBatch + " with " + collectives + " " + kind);
        }
    }

    /**
     * The all-reduce over {@code group} of {@code stage}'s layer norms' gradients with sequence parallelism,
     * {@code bytes} of them, once per step before the optimizer step (Megatron-LM's finalize-model-grads).
     */
    public static TensorCollective stepEnd(int stage, List<String> group, long bytes) {
        return new TensorCollective(stage, STEP_END, Direction.BACKWARD, group, bytes, 1, Kind.ALL_REDUCE);
    }

    /** Whether this is the step-end all-reduce of the layer norms' gradients, not a pass's collectives. */
    public boolean atStepEnd() {
        return microBatch == STEP_END;
    }

    /** Megatron-LM's all-reduce, or one reduce-scatter or all-gather pass of sequence parallelism. */
    public enum Kind {
        ALL_REDUCE("allreduce"),
        REDUCE_SCATTER_ALL_GATHER("rs+ag");

        private final String shortName;

        Kind(String shortName) {
            this.shortName = shortName;
        }

        public String shortName() {
            return shortName;
        }
    }

    /** An all-reduce moves {@code 2(n-1)/n x S} bytes on a ring, a sequence-parallel pass {@code (n-1)/n x S}. */
    @Override
    public int ringPasses() {
        return kind == Kind.ALL_REDUCE ? 2 : 1;
    }

    /**
     * Sequence parallelism's passes work on their tensor in place, reduce-scatters and all-gathers
     * ({@link HostWork#ringPasses}), no flattening.
     */
    @Override
    public HostWork hostWork() {
        return kind == Kind.ALL_REDUCE ? Collective.super.hostWork() : HostWork.ringPasses(bytes, group.size(), collectives);
    }

    @Override
    public String name() {
        return atStepEnd() ? "tp allreduce norms s" + stage
                : "tp " + kind.shortName() + " " + direction.shortName() + " s" + stage + " mb" + microBatch;
    }
}
