package org.modelpar.executor;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** Test plans: a graph's ops cut into contiguous stages of equal op count. */
public final class Plans {
    private Plans() {
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
}
