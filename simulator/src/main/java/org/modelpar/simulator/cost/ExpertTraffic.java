package org.modelpar.simulator.cost;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;

/**
 * The expert-parallel all-to-alls of one forward or backward pass of a stage on one device (Lepikhin et al.,
 * "GShard", ICLR 2021; Fedus et al., "Switch Transformers", JMLR 2022): every mixture-of-experts layer
 * dispatches its tokens to the experts' devices and combines their outputs back, two all-to-alls per layer
 * each way (a fully recomputing backward re-runs the forward's too; a split backward's weight part posts the output
 * gradients again, {@link #ofWeightPass}). The bytes come from the graph: a routed
 * expert's ({@value PlanLayout#EXPERT_KIND}) input tensors are its dispatched tokens (its routing weights, from the
 * {@value #ROUTER_KIND}, stay where the combine weights by them), its output tensors what the combine gathers; per
 * device, the replica's samples of them, scaled to the precision.
 * With expert-parallel degree e a device keeps (e-1)/e of them on its own experts' peers' side: an all-to-all
 * moves {@code (e-1)/e x S} through each member's links, as one ring pass does. With e = 1 there are none.
 *
 * @param collectives how many all-to-alls
 * @param bytes       their tensors per device, summed
 */
public record ExpertTraffic(int collectives, long bytes) {
    public static final ExpertTraffic NONE = new ExpertTraffic(0, 0);
    /** The kind of the op whose routing weights an expert reads and the all-to-alls do not move. */
    public static final String ROUTER_KIND = "moe-router";

    /** The all-to-alls of a forward ({@code backward} false) or backward pass of {@code stage}. */
    public static ExpertTraffic of(PlanLayout layout, int stage, boolean backward) {
        if (layout.plan().options().expertParallel() == 1) {
            return NONE;
        }
        int passes = backward && layout.plan().stages().get(stage).recomputation() == Recompute.FULL ? 2 : 1;
        return of(layout.graph(), layout.stage(stage).ops(), layout.samplesPerReplica(stage), layout.plan().precision(), passes);
    }

    /**
     * The all-to-alls of the weight-gradient part of a split backward (ZB-H1's W) of {@code stage}: a member posts each
     * expert's holder its output gradients again, which the holder's weight gradients read, one all-to-all of the
     * experts' outputs per layer; {@link #NONE} without expert parallelism or a split backward.
     */
    public static ExpertTraffic ofWeightPass(PlanLayout layout, int stage) {
        if (layout.plan().options().expertParallel() == 1 || !layout.plan().schedule().splitsBackward()) {
            return NONE;
        }
        return of(layout.graph(), layout.stage(stage).ops(), layout.samplesPerReplica(stage), layout.plan().precision(), 1, false);
    }

    /**
     * The all-to-alls of the routed experts among {@code ops} (a stage's, or a part of one) whose tensors are
     * those of {@code graph}, per device running {@code samples} samples at {@code precision}, {@code passes}
     * times (2 for the backward of a fully recomputing stage), whatever the expert-parallel degree above 1.
     */
    public static ExpertTraffic of(ComputationGraph graph, List<OpNode> ops, double samples, Precision precision, int passes) {
        return of(graph, ops, samples, precision, passes, true);
    }

    /** Per layer and pass the all-to-all of the experts' outputs and ({@code inputs}) the one of their dispatched tokens. */
    private static ExpertTraffic of(ComputationGraph graph, List<OpNode> ops, double samples, Precision precision, int passes,
                                    boolean inputs) {
        Set<String> layers = new HashSet<>();
        long perSample = 0;
        for (OpNode op : ops) {
            if (op.kind().equals(PlanLayout.EXPERT_KIND)) {
                layers.add(op.layer().isEmpty() ? op.id() : op.layer());
                for (TensorEdge in : inputs ? graph.incoming(op.id()) : List.<TensorEdge>of()) {
                    if (!graph.op(in.from()).orElseThrow().kind().equals(ROUTER_KIND)) {
                        perSample = Math.addExact(perSample, in.bytes());
                    }
                }
                for (TensorEdge out : graph.outgoing(op.id())) {
                    perSample = Math.addExact(perSample, out.bytes());
                }
            }
        }
        double scale = samples * precision.computeBytes() / 4.0;
        int perLayer = inputs ? 2 : 1;
        return layers.isEmpty() ? NONE : new ExpertTraffic(perLayer * layers.size() * passes, passes * Math.round(perSample * scale));
    }

    /**
     * Uncontended seconds over the expert-parallel {@code group}, as the engine prices an all-to-all: one ring pass
     * each ({@link CostModel#ringStep}), {@code (e-1)/e x bytes / bw + collectives x (e-1) x latency} of the slowest
     * ring link; 0 without any or for a group of one.
     */
    public double seconds(CostModel cost, ClusterSpec cluster, List<String> group) {
        if (collectives == 0 || group.size() < 2) {
            return 0;
        }
        return cost.ringStep(cluster, group, bytes, 1, collectives).seconds();
    }
}
