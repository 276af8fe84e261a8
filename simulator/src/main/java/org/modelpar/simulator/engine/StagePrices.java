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
import org.modelpar.simulator.cost.ZeroSharding;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.memory.StageMemory;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.StageProfile;
import org.modelpar.simulator.program.DeviceProgram;

/**
 * The cost-model and memory-model facts of the stages a device runs, computed once per stage, replica and
 * device type (a device of an interleaved plan runs several stages; its instructions name theirs). Lookups
 * during compilation go through {@link #forDevice}, an array per device, not a keyed map per instruction.
 */
final class StagePrices {
    private final PlanLayout layout;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final Map<String, StageTime> times = new HashMap<>();
    private final Map<String, List<StageTime>> units = new HashMap<>();
    private final StageMemory[] memory;
    private final Map<Integer, MemoryBreakdown> fixed = new HashMap<>();
    private final Map<String, Double> optimizer = new HashMap<>();

    StagePrices(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        this.layout = layout;
        this.cluster = cluster;
        this.cost = cost;
        this.memory = new StageMemory[layout.plan().pipelineStages()];
    }

    /**
     * The prices of the stages one device runs, by stage index; {@code units} the compute of each parameter unit
     * (ZeRO stages 2 and 3 run a pass unit by unit), null otherwise.
     */
    record Device(StageTime[] times, List<StageTime>[] units, StageMemory[] memory, double[] optimizerSeconds,
                  MemoryBreakdown fixed) {
    }

    /** Prices every stage of the device group of {@code dp} for a device of {@code profile}. */
    Device forDevice(DeviceProgram dp, DeviceProfile profile) {
        int n = layout.plan().pipelineStages();
        StageTime[] t = new StageTime[n];
        @SuppressWarnings("unchecked")
        List<StageTime>[] u = new List[n];
        double[] o = new double[n];
        for (int s = dp.stage(); s < n; s += layout.plan().pipelineDegree()) {
            t[s] = time(s, dp, profile);
            if (layout.plan().options().zeroStage() >= 2) {
                int stage = s;
                u[s] = units.computeIfAbsent(s + "/" + profile.name(), k -> StageCosts.units(layout, cost, stage, profile));
            }
            o[s] = optimizerSeconds(s, profile);
            memory(s);
        }
        MemoryBreakdown f = fixed.computeIfAbsent(dp.stage(), g -> MemoryModel.deviceFixed(layout, g));
        return new Device(t, u, memory, o, f);
    }

    /** One micro-batch of {@code stage} on a device of {@code profile} running {@code dp}. */
    private StageTime time(int stage, DeviceProgram dp, DeviceProfile profile) {
        int t = layout.plan().tensorParallel();
        List<String> group = layout.plan().stages().get(stage).devices().subList(dp.replica() * t, (dp.replica() + 1) * t);
        return times.computeIfAbsent(stage + "/" + group.get(0) + "/" + profile.name(),
                k -> StageCosts.of(layout, cluster, cost, stage, profile, group));
    }

    StageMemory memory(int stage) {
        if (memory[stage] == null) {
            memory[stage] = MemoryModel.stage(layout, stage);
        }
        return memory[stage];
    }

    /** The optimizer step of a device's share of {@code stage}, with a tied weight's copy (one more tensor). */
    private double optimizerSeconds(int stage, DeviceProfile profile) {
        return optimizer.computeIfAbsent(stage + "/" + profile.name(), k -> {
            PlacementPlan plan = layout.plan();
            StageProfile sp = layout.stage(stage);
            int tensors = OpLaunchCounts.parameterTensors(sp.ops(), sp.tiedCopyParameterCount() > 0, profile);
            return cost.optimizerSeconds(profile, ZeroSharding.of(layout, stage).updatedParameters(), tensors, plan.precision(), plan.optimizer());
        });
    }
}
