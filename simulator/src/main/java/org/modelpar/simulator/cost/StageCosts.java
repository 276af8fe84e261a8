package org.modelpar.simulator.cost;

import java.util.List;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.StageProfile;

/**
 * Per-stage times built from op costs: a device of stage s runs every op of the stage on
 * {@code microBatchSize / d} samples, split t ways, plus the stage's tensor-parallel all-reduces over its
 * replica's t devices (blocking, so folded into the compute time, as in Megatron-LM). A recomputing stage's
 * backward re-runs the forward first.
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
        PlacementPlan plan = layout.plan();
        StageProfile sp = layout.stage(stage);
        int t = plan.tensorParallel();
        double samples = layout.samplesPerReplica(stage);
        OpWork work = new OpWork(samples, t, plan.precision(), layout.graph().measuredBatchSize());
        double fwd = 0;
        double bwd = 0;
        for (OpNode op : sp.ops()) {
            fwd += cost.forwardSeconds(op, device, work);
            bwd += cost.backwardSeconds(op, device, work);
        }
        double tp = 0;
        if (t > 1) {
            for (long bytesPerSample : sp.tensorParallelAllReduces()) {
                long bytes = Math.round(bytesPerSample * samples * work.byteScale());
                tp += cost.allReduceSeconds(cluster, tensorGroup, bytes);
            }
        }
        boolean recompute = plan.stages().get(stage).recompute();
        double forward = fwd + tp;
        double backward = bwd + tp + (recompute ? forward : 0);
        return new StageTime(forward, backward, tp * (recompute ? 3 : 2),
                sp.forwardFlopsPerSample() * samples / t, sp.backwardFlopsPerSample() * samples / t);
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
