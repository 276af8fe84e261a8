package org.modelpar.workflow.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** Plans over whole layers of a graph on DGX A100 nodes of 8 GPUs, for export tests. */
final class TestPlans {
    static final int GPUS_PER_NODE = 8;

    private TestPlans() {
    }

    /** The export of {@code plan} on as many DGX A100 nodes as its devices fill. */
    static Export export(ComputationGraph graph, PlacementPlan plan, ExportFormat format) {
        return Exporter.export(graph, plan, cluster(plan.devices().size()), format);
    }

    /** {@code dgx-a100:N} with enough nodes for {@code devices} GPUs. */
    static ClusterSpec cluster(int devices) {
        return Clusters.resolve("dgx-a100:" + Math.max(1, (devices + GPUS_PER_NODE - 1) / GPUS_PER_NODE));
    }

    /** Device {@code i} of {@code dgx-a100:N}: GPU {@code i mod 8} of node {@code i / 8}. */
    static String device(int i) {
        return "n" + i / GPUS_PER_NODE + "g" + i % GPUS_PER_NODE;
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
                devices.add(device(i * devicesPerStage + d));
            }
            stages.add(new Stage(i, devices, ops, recompute));
        }
        return new PlacementPlan(graph.name(), "sha256:test-graph", "test-cluster", "sha256:cluster", precision, OptimizerKind.ADAM,
                microBatchSize * microBatches, microBatchSize, microBatches, schedule, tensorParallel, stages);
    }
}
