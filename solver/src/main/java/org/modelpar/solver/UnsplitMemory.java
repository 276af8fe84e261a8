package org.modelpar.solver;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ByteSize;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.ParallelConfig;
import org.modelpar.simulator.StageBalancer;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/**
 * Whether the model must be split: the least memory the whole model needs on one device against the most
 * a device offers. No unsplit plan (one stage, tensor degree 1) needs less than one sample per
 * micro-batch on one stage ({@link MemoryModel}: a single 1F1B stage stashes one micro-batch, so
 * recomputation saves nothing there), so when that does not fit, every plan that fits splits the model.
 *
 * @param neededBytes   peak memory of the whole model on one device at one sample per micro-batch, in the
 *                      request's precision and optimizer
 * @param usableBytes   the most a device of the cluster offers a plan: its memory less the request's margin
 * @param capacityBytes that device's memory
 */
public record UnsplitMemory(long neededBytes, long usableBytes, long capacityBytes) {
    static UnsplitMemory of(ComputationGraph graph, ClusterSpec cluster, PlanRequest request, CostModel cost) {
        PlacementPlan whole = StageBalancer.plan(graph, cluster, new ParallelConfig(1, 1, 1, request.globalBatchSize(), 1,
                Schedule.ONE_F_ONE_B, false, request.precision(), request.optimizer()), cost);
        long needed = MemoryModel.perDevice(graph, cluster, whole).values().iterator().next().total();
        long capacity = cluster.devices().stream().mapToLong(d -> d.profile().memoryBytes()).max().orElseThrow();
        return new UnsplitMemory(needed, request.usableBytes(capacity), capacity);
    }

    /** Whether the whole model fits one device. */
    public boolean fits() {
        return neededBytes <= usableBytes;
    }

    /**
     * Why {@code plan} splits the model, in the unit that suits the device: e.g. {@code the whole model needs
     * 71.34 MiB on one device, above the 45.60 MiB usable of 48.00 MiB: 2 pipeline stages}.
     */
    public String why(PlacementPlan plan) {
        String split = plan.pipelineStages() + " pipeline stage" + (plan.pipelineStages() == 1 ? "" : "s")
                + (plan.tensorParallel() > 1 ? " of tensor degree " + plan.tensorParallel() : "");
        return "the whole model needs " + ByteSize.format(neededBytes, capacityBytes) + " on one device, above the "
                + ByteSize.format(usableBytes, capacityBytes) + " usable of " + ByteSize.format(capacityBytes, capacityBytes)
                + ": " + split;
    }
}
