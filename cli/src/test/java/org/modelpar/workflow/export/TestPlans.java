package org.modelpar.workflow.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** Plans over whole layers of a graph, for export tests. */
final class TestPlans {
    private TestPlans() {
    }

    /**
     * A plan whose stage i holds the graph's layers {@code [starts[i], starts[i+1])} (in the order
     * LayerPartition uses) on {@code devicesPerStage} devices each.
     */
    static PlacementPlan plan(ComputationGraph graph, int[] layerStarts, int devicesPerStage, int tensorParallel,
                              int microBatchSize, int microBatches, Schedule schedule, Precision precision, boolean recompute) {
        List<String> layerOrder = new ArrayList<>();
        Map<String, List<String>> opsOfLayer = new LinkedHashMap<>();
        for (OpNode op : graph.topologicalOrder()) {
            String layer = LayerPartition.layerOf(op);
            if (!opsOfLayer.containsKey(layer)) {
                layerOrder.add(layer);
            }
            opsOfLayer.computeIfAbsent(layer, k -> new ArrayList<>()).add(op.id());
        }
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < layerStarts.length; i++) {
            int end = i + 1 < layerStarts.length ? layerStarts[i + 1] : layerOrder.size();
            List<String> ops = new ArrayList<>();
            layerOrder.subList(layerStarts[i], end).forEach(l -> ops.addAll(opsOfLayer.get(l)));
            List<String> devices = new ArrayList<>();
            for (int d = 0; d < devicesPerStage; d++) {
                devices.add("gpu" + (i * devicesPerStage + d));
            }
            stages.add(new Stage(i, devices, ops, recompute));
        }
        return new PlacementPlan(graph.name(), "sha256:test-graph", "test-cluster", "sha256:cluster", precision, OptimizerKind.ADAM,
                microBatchSize * microBatches, microBatchSize, microBatches, schedule, tensorParallel, stages);
    }
}
