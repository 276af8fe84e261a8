package org.modelpar.simulator.cost;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.StageProfile;

/**
 * The tensor-parallel collectives of one forward or backward pass of a stage on one replica, from the graph:
 * those the stage's ops run ({@link StageProfile#forwardCollectives()}, {@link StageProfile#backwardCollectives()},
 * each attributed to the op that runs it by {@link org.modelpar.simulator.plan.TensorSplit#collectives}), and in a
 * backward of a fully recomputing stage also those of the recomputed forward. Each collective's tensor is its
 * per-sample fp32 bytes x the replica's samples, scaled to the precision and rounded; with t = 1 there are none.
 * Without sequence parallelism each collective is an all-reduce (two ring passes); with it each is one ring pass, a
 * reduce-scatter or an all-gather ({@link org.modelpar.simulator.plan.TensorSplit#sequenceParallelPasses}).
 *
 * @param collectives how many collectives
 * @param bytes       their tensors per device, summed
 * @param ringPasses  the ring passes of each: 2 (all-reduces) or 1 (sequence parallelism's passes)
 */
public record TensorTraffic(int collectives, long bytes, int ringPasses) {
    public static final TensorTraffic NONE = new TensorTraffic(0, 0);

    public TensorTraffic {
        if (collectives < 0 || bytes < 0 || ringPasses < 1 || ringPasses > 2) {
            throw new IllegalArgumentException("tensor traffic needs collectives and bytes >= 0 and 1 or 2 ring passes, got "
                    + collectives + ", " + bytes + " and " + ringPasses);
        }
    }

    /** {@code collectives} all-reduces of {@code bytes} in all. */
    public TensorTraffic(int collectives, long bytes) {
        this(collectives, bytes, 2);
    }

    /**
     * The collectives of a forward ({@code backward} false) or backward pass of {@code stage}; where the schedule splits
     * the backward, of its input-gradient part.
     */
    public static TensorTraffic of(PlanLayout layout, int stage, boolean backward) {
        if (layout.plan().tensorParallel() == 1) {
            return NONE;
        }
        StageProfile sp = layout.stage(stage);
        List<Long> sizes = new ArrayList<>(backward ? sp.backwardCollectives() : sp.forwardCollectives());
        if (backward && layout.plan().stages().get(stage).recomputation() == Recompute.FULL) {
            sizes.addAll(sp.activations().recomputedAllReduces());
        }
        return of(layout, stage, sizes);
    }

    /**
     * The collectives of the weight-gradient part of a split backward of {@code stage} (sequence parallelism's
     * re-gathers, {@link org.modelpar.simulator.plan.TensorSplit#splitBackwardPasses}); {@link #NONE} otherwise.
     */
    public static TensorTraffic ofWeightPass(PlanLayout layout, int stage) {
        return layout.plan().tensorParallel() == 1 ? NONE : of(layout, stage, layout.stage(stage).weightPassCollectives());
    }

    private static TensorTraffic of(PlanLayout layout, int stage, List<Long> sizes) {
        if (sizes.isEmpty()) {
            return NONE;
        }
        double scale = layout.samplesPerReplica(stage) * layout.plan().precision().computeBytes() / 4.0;
        long bytes = 0;
        for (long perSample : sizes) {
            bytes = Math.addExact(bytes, Math.round(perSample * scale));
        }
        return new TensorTraffic(sizes.size(), bytes, layout.plan().options().sequenceParallel() ? 1 : 2);
    }

    /**
     * Uncontended seconds over the ring {@code group}: the collectives' ring steps ({@link CostModel#ringStep}),
     * {@code r(n-1)/n x bytes / bw + collectives x r(n-1) x latency} for r ring passes each, the sum of their own ring
     * times.
     */
    public double seconds(CostModel cost, ClusterSpec cluster, List<String> group) {
        if (collectives == 0 || group.size() < 2) {
            return 0;
        }
        return cost.ringStep(cluster, group, bytes, ringPasses, collectives).seconds();
    }
}
