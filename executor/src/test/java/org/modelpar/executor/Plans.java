package org.modelpar.executor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;

/** Test plans: a graph's ops cut into contiguous stages of equal op count. */
public final class Plans {
    private Plans() {
    }

    /** A cluster of {@code n} local CPU workers cpu0..cpu{n-1} with the shipped default profile. */
    public static ClusterSpec local(int n) {
        return LocalCluster.of(n, Path.of("target", "no-modelpar-home"), ProfileLimits.DEFAULT);
    }

    /** The plan lowered by the simulator, on local workers. */
    public static StepProgram lower(ComputationGraph graph, PlacementPlan plan) {
        return Lowering.lower(graph, local(plan.devices().size()), plan);
    }

    /**
     * @param replicas data-parallel replicas of every stage
     */
    public static PlacementPlan plan(ComputationGraph graph, int stages, int replicas, int microBatchSize,
                                     int microBatches, Schedule schedule, OptimizerKind optimizer) {
        List<String> ops = graph.topologicalOrder().stream().map(OpNode::id).toList();
        List<Stage> list = new ArrayList<>();
        int device = 0;
        for (int s = 0; s < stages; s++) {
            List<String> devices = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                devices.add("cpu" + device++);
            }
            int from = s * ops.size() / stages;
            int to = (s + 1) * ops.size() / stages;
            list.add(new Stage(s, devices, ops.subList(from, to), false));
        }
        return new PlacementPlan(graph.name(), "", "local", "", Precision.FP32, optimizer,
                microBatchSize * microBatches, microBatchSize, microBatches, schedule, 1, list);
    }

    /** Stages of equal op count, each of {@code replicas} x {@code tensor} devices, 2 micro-batches of 2 samples. */
    public static PlacementPlan tensorParallel(ComputationGraph graph, int stages, int tensor, int replicas, Schedule schedule) {
        PlacementPlan base = plan(graph, stages, 1, 2, 2, schedule, OptimizerKind.SGD);
        List<Stage> list = new ArrayList<>();
        int device = 0;
        for (Stage s : base.stages()) {
            List<String> devices = new ArrayList<>();
            for (int k = 0; k < tensor * replicas; k++) {
                devices.add("cpu" + device++);
            }
            list.add(new Stage(s.index(), devices, s.ops(), false));
        }
        return new PlacementPlan(base.graphName(), "", "local", "", base.precision(), base.optimizer(), base.globalBatchSize(),
                base.microBatchSize(), base.microBatches(), schedule, tensor, list);
    }
}
