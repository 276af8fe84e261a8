package org.modelpar.simulator.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.io.ClusterJson;

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
     * Refuses an expert-parallel degree above 1 for a graph without routed experts ({@value PlanLayout#EXPERT_KIND}
     * ops), where it would change nothing. Checked on the user's whole graph (the solver's block graphs name no
     * op kinds), by {@code Simulator.simulate} and the planner.
     *
     * @throws PlanException naming the degree and the graph
     */
    public static void checkExpertParallel(ComputationGraph graph, int expertParallel) {
        if (expertParallel > 1 && graph.ops().stream().noneMatch(op -> op.kind().equals(PlanLayout.EXPERT_KIND))) {
            throw new PlanException("expert-parallel degree " + expertParallel + ": graph '" + graph.name()
                    + "' has no mixture-of-experts layer (no op of kind " + PlanLayout.EXPERT_KIND + "); use 1");
        }
    }

    /**
     * Validates and returns the plan's resolved layout.
     *
     * @throws PlanException naming the op, tensor, device or stage and the value at fault
     */
    public static PlanLayout validate(PlacementPlan plan, ComputationGraph graph, ClusterSpec cluster) {
        Map<String, Integer> stageOf = checkedStageOfOps(plan, graph);
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

    /**
     * The plan's layout checked against its graph only (ops and tensors, not devices): what needs no cluster, such
     * as the FLOPs of a trace's instructions.
     *
     * @throws PlanException naming the op, tensor or stage and the value at fault
     */
    public static PlanLayout validate(PlacementPlan plan, ComputationGraph graph) {
        return PlanLayout.of(plan, graph, checkedStageOfOps(plan, graph));
    }

    /** Each op's stage, checked: every op of the graph in exactly one stage, no tensor running backwards. */
    private static Map<String, Integer> checkedStageOfOps(PlacementPlan plan, ComputationGraph graph) {
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
        return stageOf;
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

    /**
     * Checks that the plan was made for this cluster: a plan that records a cluster content hash must match
     * {@link ClusterJson#contentHash} of the cluster (an empty hash is not checked). This machine's local
     * workers under the plan's own cluster name pass whatever their numbers: profiling the machine again
     * changes its measured speeds, not the machine.
     *
     * @throws PlanException naming both clusters and their hashes
     */
    public static void requireCluster(PlacementPlan plan, ClusterSpec cluster) {
        if (plan.clusterHash().isEmpty() || cluster.localWorkers() && plan.clusterName().equals(cluster.name())) {
            return;
        }
        String actual = ClusterJson.contentHash(cluster);
        if (!plan.clusterHash().equals(actual)) {
            throw new PlanException("the plan was made for cluster '" + plan.clusterName() + "' (" + plan.clusterHash()
                    + "), not for cluster '" + cluster.name() + "' (" + actual + "): re-plan for it, e.g. plan --from PLAN --cluster "
                    + cluster.name());
        }
    }
}
