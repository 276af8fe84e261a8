package org.modelpar.simulator.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.OpLaunchCounts;
import org.modelpar.simulator.cost.StageCosts;
import org.modelpar.simulator.cost.StageTime;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.memory.StageMemory;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.StageProfile;
import org.modelpar.simulator.program.DeviceProgram;

/**
 * The cost-model and memory-model facts of the stages a device runs, computed once per stage, replica and
 * device type (a device of an interleaved plan runs several stages; its instructions name theirs).
 */
final class StagePrices {
    private final PlanLayout layout;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final Map<String, StageTime> times = new HashMap<>();
    private final Map<Integer, StageMemory> memory = new HashMap<>();
    private final Map<String, Double> optimizer = new HashMap<>();

    StagePrices(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        this.layout = layout;
        this.cluster = cluster;
        this.cost = cost;
    }

    /** One micro-batch of {@code stage} on a device of {@code profile} running {@code dp}. */
    StageTime time(int stage, DeviceProgram dp, DeviceProfile profile) {
        int t = layout.plan().tensorParallel();
        List<String> group = layout.plan().stages().get(stage).devices().subList(dp.replica() * t, (dp.replica() + 1) * t);
        return times.computeIfAbsent(stage + "/" + group.get(0) + "/" + profile.name(),
                k -> StageCosts.of(layout, cluster, cost, stage, profile, group));
    }

    StageMemory memory(int stage) {
        return memory.computeIfAbsent(stage, s -> MemoryModel.stage(layout, s));
    }

    /** The optimizer step of a device's share of {@code stage}, with a tied weight's copy (one more tensor). */
    double optimizerSeconds(int stage, DeviceProfile profile) {
        return optimizer.computeIfAbsent(stage + "/" + profile.name(), k -> {
            PlacementPlan plan = layout.plan();
            StageProfile sp = layout.stage(stage);
            int tensors = sp.ops().stream().mapToInt(op -> OpLaunchCounts.of(op, profile).parameterTensors()).sum()
                    + (sp.tiedCopyParameterCount() > 0 ? 1 : 0);
            return cost.optimizerSeconds(profile, layout.heldParameterShare(stage), tensors, plan.precision(), plan.optimizer());
        });
    }
}
