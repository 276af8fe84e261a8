package org.modelpar.workflow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.cli.report.LayerRow;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Stage;

/**
 * The model's layers in a plan, for the report's layer table: the graph's layer tags in graph order (an op
 * without one is its own layer), each with its parameters, forward FLOPs per sample, the roofline cost
 * model's forward and backward time of one micro-batch on its stage's first device ({@link RooflineCostModel},
 * which uses an op's measured time when the graph has one for that device type) and the bytes its ops output
 * for one micro-batch of a data-parallel replica at the plan's precision.
 */
final class Layers {
    /** Graphs with more layers than this get no layer table (a 10,000-op DAG without tags would list every op). */
    static final int MAX_ROWS = 500;

    private Layers() {
    }

    static List<LayerRow> of(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        Map<String, Stage> stageOf = new HashMap<>();
        plan.stages().forEach(s -> s.ops().forEach(op -> stageOf.put(op, s)));
        CostModel cost = new RooflineCostModel();
        Map<String, LayerRow> rows = new LinkedHashMap<>();
        for (OpNode op : graph.topologicalOrder()) {
            Stage stage = stageOf.get(op.id());
            if (stage == null) {
                continue;
            }
            DeviceProfile device = cluster.device(stage.devices().get(0)).orElseThrow().profile();
            OpWork work = new OpWork((double) plan.microBatchSize() / plan.dataParallel(stage.index()), plan.tensorParallel(),
                    plan.precision(), graph.measuredBatchSize());
            LayerRow one = new LayerRow(op.layer().isEmpty() ? op.id() : op.layer(), stage.index(), 1, op.parameterCount(),
                    op.forwardFlops(), cost.forwardSeconds(op, device, work) + cost.backwardSeconds(op, device, work),
                    Math.round(op.activationBytes() * work.samples() * work.byteScale()));
            rows.merge(one.layer(), one, (a, b) -> new LayerRow(a.layer(), a.stage(), a.ops() + 1, a.parameters() + b.parameters(),
                    a.forwardFlopsPerSample() + b.forwardFlopsPerSample(), a.seconds() + b.seconds(),
                    a.activationBytes() + b.activationBytes()));
            if (rows.size() > MAX_ROWS) {
                return List.of();
            }
        }
        return new ArrayList<>(rows.values());
    }
}
