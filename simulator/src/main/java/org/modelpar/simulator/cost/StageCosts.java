package org.modelpar.simulator.cost;

import java.util.List;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.StageActivations;
import org.modelpar.simulator.plan.StageProfile;

/**
 * Per-stage times built from op costs: a device of stage s runs every op of the stage on
 * {@code microBatchSize / d} samples, split t ways; the stage's tensor-parallel collectives over its
 * replica's t devices ({@link TensorTraffic}) are priced apart, as the engine runs them as instructions of their
 * own. LayerNorm and residual
 * adds of a transformer run whole on every tensor rank unless sequence parallelism splits them
 * ({@link org.modelpar.simulator.plan.TensorSplit}). A recomputing stage's backward first re-runs the forward of
 * what its mode recomputes: the attention core (selective), the transformer layers with their all-reduces
 * (full), or the whole stage in a graph without attention (full). With scatter/gather sends (and no sequence
 * parallelism) a forward first all-gathers the received activations over the replica's t devices, a backward
 * the received gradients (Narayanan et al. 2021, section 4.1; {@code BoundaryAllGather}): counted with the
 * collectives here, an instruction of its own in the engine.
 */
public final class StageCosts {
    private StageCosts() {
    }

    /**
     * One micro-batch of {@code stage} on a device of profile {@code device} whose tensor-parallel group
     * (its replica) is {@code tensorGroup}.
     */
    public static StageTime of(PlanLayout layout, ClusterSpec cluster, CostModel cost, int stage,
                               DeviceProfile device, List<String> tensorGroup) {
        StageProfile sp = layout.stage(stage);
        StageTime compute = compute(layout, cost, stage, device, sp.ops());
        boolean gathers = layout.plan().options().gathersMessages();
        double gatherIn = gathers ? gatherSeconds(layout, stage, sp.inputBytesPerSample(), cluster, cost, tensorGroup) : 0;
        double gatherOut = gathers ? gatherSeconds(layout, stage, sp.outputBytesPerSample(), cluster, cost, tensorGroup) : 0;
        double forwardTp = TensorTraffic.of(layout, stage, false).seconds(cost, cluster, tensorGroup) + gatherIn;
        double backwardTp = TensorTraffic.of(layout, stage, true).seconds(cost, cluster, tensorGroup)
                + TensorTraffic.ofWeightPass(layout, stage).seconds(cost, cluster, tensorGroup) + gatherOut;
        return new StageTime(compute.forwardComputeSeconds(), compute.backwardComputeSeconds(), forwardTp, backwardTp,
                forwardTp + backwardTp, compute.weightGradientSeconds());
    }

    /**
     * The compute of each {@link ParameterUnit} of {@code stage} (ZeRO stage 3 runs a pass unit by unit), without
     * collectives; their sum is the stage's compute.
     */
    public static List<StageTime> units(PlanLayout layout, CostModel cost, int stage, DeviceProfile device) {
        return ParameterUnit.of(layout, stage).stream().map(u -> compute(layout, cost, stage, device, u.ops())).toList();
    }

    /** The compute seconds of {@code ops} of {@code stage}, without collectives. */
    private static StageTime compute(PlanLayout layout, CostModel cost, int stage, DeviceProfile device, List<OpNode> ops) {
        PlacementPlan plan = layout.plan();
        StageProfile sp = layout.stage(stage);
        int t = plan.tensorParallel();
        double samples = layout.samplesPerReplica(stage);
        OpWork work = new OpWork(samples, t, plan.precision(), layout.graph().measuredBatchSize());
        OpWork replicated = new OpWork(samples, plan.options().sequenceParallel() ? t : 1, plan.precision(),
                layout.graph().measuredBatchSize());
        Recompute mode = plan.stages().get(stage).recomputation();
        StageActivations acts = sp.activations();
        double fwd = 0;
        double bwd = 0;
        double recomputeSeconds = 0;
        double weightGradient = 0;
        for (OpNode op : ops) {
            OpWork w = sp.replicatedWorkOps().contains(op.id()) ? replicated
                    : sp.rowParallelOps().contains(op.id()) ? work.withRowParallel(true) : work;
            double f = cost.forwardSeconds(op, device, w);
            fwd += f;
            double b = cost.backwardSeconds(op, device, w);
            bwd += b;
            weightGradient += cost.weightGradientSeconds(op, device, w);
            if (acts.recomputes(mode, op.id())) {
                recomputeSeconds += f;
            }
        }
        return new StageTime(fwd, bwd + recomputeSeconds, 0, 0, 0, weightGradient);
    }

    /** Seconds of the all-gather that rebuilds a received boundary tensor of {@code bytesPerSample} (0 for none). */
    private static double gatherSeconds(PlanLayout layout, int stage, long bytesPerSample, ClusterSpec cluster,
                                        CostModel cost, List<String> tensorGroup) {
        return bytesPerSample == 0 ? 0
                : cost.allGatherSeconds(cluster, tensorGroup, layout.replicaTensorBytes(stage, bytesPerSample));
    }

    /**
     * Forward + backward seconds of one micro-batch of a stage on its device group: the slowest of its
     * replicas (the {@code computeSeconds} of the plan file).
     */
    public static double computeSeconds(PlanLayout layout, ClusterSpec cluster, CostModel cost, int stage) {
        PlacementPlan plan = layout.plan();
        List<String> devices = plan.stages().get(stage).devices();
        int t = plan.tensorParallel();
        double slowest = 0;
        for (int r = 0; r < devices.size() / t; r++) {
            List<String> group = devices.subList(r * t, (r + 1) * t);
            for (String id : group) {
                DeviceProfile profile = cluster.device(id)
                        .orElseThrow(() -> new PlanException("device '" + id + "' is not in cluster '" + cluster.name() + "'"))
                        .profile();
                slowest = Math.max(slowest, of(layout, cluster, cost, stage, profile, group).totalSeconds());
            }
        }
        return slowest;
    }
}
