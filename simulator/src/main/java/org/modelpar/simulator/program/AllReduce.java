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
 * @param overlapsBackward whether it is placed before the step's last backward and runs during it (bucketed
 *               gradient reduction, as PyTorch DDP does): it then gates only the {@link OptimizerStep}, not the
 *               compute instructions after it
 * @param buckets the ring all-reduces it runs one after another ({@link org.modelpar.simulator.plan.GradientBuckets}: an
 *               overlapped one reduces the gradients in buckets as the backward completes them), each paying its own
 *               latencies; 1 otherwise
 */
public record AllReduce(int stage, List<String> group, long bytes, String tiedOp, boolean overlapsBackward, int buckets)
        implements Collective {
    public AllReduce {
        group = List.copyOf(group);
        if (tiedOp == null) {
            throw new IllegalArgumentException("tiedOp must not be null (empty for a data-parallel all-reduce)");
        }
        if (buckets < 1 || buckets > 1 && !overlapsBackward) {
            throw new IllegalArgumentException("an all-reduce runs in 1 bucket, or several when it overlaps the backward, got "
                    + buckets + (overlapsBackward ? "" : " not overlapped"));
        }
    }

    /** One ring all-reduce ({@code buckets} 1). */
    public AllReduce(int stage, List<String> group, long bytes, String tiedOp, boolean overlapsBackward) {
        this(stage, group, bytes, tiedOp, overlapsBackward, 1);
    }

    /** A tied weight's all-reduce ({@code tiedOp}) or a data-parallel one (empty), after the last backward. */
    public AllReduce(int stage, List<String> group, long bytes, String tiedOp) {
        this(stage, group, bytes, tiedOp, false);
    }

    /** A stage's data-parallel all-reduce after the last backward. */
    public AllReduce(int stage, List<String> group, long bytes) {
        this(stage, group, bytes, "");
    }

    @Override
    public int ringPasses() {
        return 2;
    }

    @Override
    public int collectives() {
        return buckets;
    }

    @Override
    public String name() {
        return (tiedOp.isEmpty() ? "allreduce s" + stage : "allreduce tied " + tiedOp) + (overlapsBackward ? " overlapped" : "");
    }
}
