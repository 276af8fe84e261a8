package org.modelpar.simulator.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.profiles.ClusterSpec;

/**
 * Checks a plan against its graph and cluster: every op of the graph in exactly one stage, every stage
 * op known to the graph, no tensor running from a later stage to an earlier one, stage devices disjoint
 * and present in the cluster, and the degrees dividing (tensor-parallel degree divides each stage's
 * devices, each stage's replicas divide the micro-batch size; checked by {@link PlacementPlan} itself).
 */
public final class PlanValidator {
    private PlanValidator() {
    }

    /**
     * Validates and returns the plan's resolved layout.
     *
     * @throws PlanException naming the op, tensor, device or stage and the value at fault
     */
    public static PlanLayout validate(PlacementPlan plan, ComputationGraph graph, ClusterSpec cluster) {
        Map<String, Integer> stageOf = stageOfOps(plan, graph);
        for (OpNode op : graph.ops()) {
            if (!stageOf.containsKey(op.id())) {
                throw new PlanException("op '" + op.id() + "' of graph '" + graph.name() + "' is in no stage");
            }
        }
        // with one stage no tensor can run backwards (this skips the lookups in the solver's one-stage probes)
        for (TensorEdge t : plan.pipelineStages() == 1 ? List.<TensorEdge>of() : graph.tensors()) {
            int from = stageOf.get(t.from());
            int to = stageOf.get(t.to());
            if (from > to) {
                throw new PlanException("tensor '" + t.id() + "' runs from op '" + t.from() + "' in stage " + from
                        + " back to op '" + t.to() + "' in stage " + to);
            }
        }
        Map<String, Integer> stageOfDevice = new HashMap<>();
        // the stages of an interleaved plan beyond the first p run on the devices of those (PlacementPlan checks)
        for (Stage s : plan.stages().subList(0, plan.pipelineDegree())) {
            for (String d : s.devices()) {
                if (cluster.device(d).isEmpty()) {
                    throw new PlanException("stage " + s.index() + " device '" + d + "' is not in cluster '"
                            + cluster.name() + "'");
                }
                Integer previous = stageOfDevice.putIfAbsent(d, s.index());
                if (previous != null) {
                    throw new PlanException("device '" + d + "' is in stage " + previous + " and in stage " + s.index());
                }
            }
        }
        return PlanLayout.of(plan, graph, stageOf);
    }

    private static Map<String, Integer> stageOfOps(PlacementPlan plan, ComputationGraph graph) {
        Map<String, Integer> stageOf = new HashMap<>(2 * graph.opCount());
        for (Stage s : plan.stages()) {
            for (String op : s.ops()) {
                if (graph.op(op).isEmpty()) {
                    throw new PlanException("stage " + s.index() + " op '" + op + "' is not in graph '" + graph.name() + "'");
                }
                Integer previous = stageOf.putIfAbsent(op, s.index());
                if (previous != null) {
                    throw new PlanException("op '" + op + "' is in stage " + previous + " and in stage " + s.index());
                }
            }
        }
        return stageOf;
    }

    /**
     * Checks that the plan was made for this graph: a plan that records a graph content hash must match
     * {@link GraphJson#contentHash} of the graph (an empty hash is not checked).
     *
     * @throws PlanException naming both hashes
     */
    public static void requireGraph(PlacementPlan plan, ComputationGraph graph) {
        if (!plan.graphHash().isEmpty()) {
            String actual = GraphJson.contentHash(graph);
            if (!plan.graphHash().equals(actual)) {
                throw new PlanException("graph.hash " + plan.graphHash() + " of the plan does not match graph '"
                        + graph.name() + "' (" + actual + ")");
            }
        }
    }
}
