package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.OpNode;

/**
 * The buckets of a gradient reduction overlapped with the backward (Li et al., "PyTorch Distributed: Experiences on
 * Accelerating Data Parallel Training", VLDB 2020, section 3.2.3): the gradients, in the order the backward completes
 * them, one group per op, are cut into buckets of at least {@link #BUCKET_BYTES} (the last one may hold less); a group
 * is never split. Each bucket is one ring collective of its own, so it pays the ring's latencies once. The one rule
 * for the bucket count: the lowering prices it ({@link #of(PlanLayout, int, int)}), the executor cuts its buckets by it.
 */
public final class GradientBuckets {
    /** Bucket size: PyTorch DDP's 25 MB scaled to the executor's small models, so that a stage has several. */
    public static final long BUCKET_BYTES = 256 * 1024;

    private GradientBuckets() {
    }

    /**
     * The bucket of each group, for groups of {@code bytes} in completion order: a group starts a new bucket once the
     * current one holds {@link #BUCKET_BYTES} or more; groups of 0 bytes join the current bucket (bucket 0 if first).
     *
     * @throws IllegalArgumentException on a negative size
     */
    public static int[] cut(long[] bytes) {
        int[] bucket = new int[bytes.length];
        int current = -1;
        long held = BUCKET_BYTES;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] < 0) {
                throw new IllegalArgumentException("group " + i + " of a gradient bucket has " + bytes[i] + " bytes");
            }
            if (bytes[i] > 0 && held >= BUCKET_BYTES) {
                current++;
                held = 0;
            }
            held += bytes[i];
            bucket[i] = Math.max(0, current);
        }
        return bucket;
    }

    /** How many buckets {@link #cut} makes of {@code bytes} (0 when every group is empty). */
    public static int count(long[] bytes) {
        int[] b = cut(bytes);
        long nonEmpty = java.util.Arrays.stream(bytes).filter(x -> x > 0).count();
        return nonEmpty == 0 ? 0 : b[b.length - 1] + 1;
    }

    /**
     * The buckets of stage {@code stage}'s data-parallel reduction: one group per op with parameters, in reverse stage
     * order (the order a backward completes them), each the op's parameters one tensor rank holds ({@link PlanLayout#parametersPerRank})
     * at {@code bytesPerGradient}; routed experts' parameters are left out when expert parallelism splits them (their own
     * all-reduce sums them). At least 1.
     */
    public static int of(PlanLayout layout, int stage, int bytesPerGradient) {
        PlacementPlan plan = layout.plan();
        boolean splitExperts = plan.options().expertParallel() > 1;
        List<OpNode> ops = new ArrayList<>(layout.stage(stage).ops());
        java.util.Collections.reverse(ops);
        long[] bytes = ops.stream().filter(op -> !(splitExperts && op.kind().equals(PlanLayout.EXPERT_KIND)))
                .mapToLong(op -> layout.parametersPerRank(List.of(op), op.parameterCount()) * bytesPerGradient).toArray();
        return Math.max(1, count(bytes));
    }
}
