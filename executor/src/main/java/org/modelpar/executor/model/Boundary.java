package org.modelpar.executor.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Stage;

/**
 * Which op outputs travel between stages, as the simulator's lowering sends them: stage a sends stage b
 * (adjacent or not) the outputs of its ops that ops of stage b read, and receives their gradients back.
 * The plan is assumed validated ({@code PlanValidator}) by whoever lowered it.
 */
public final class Boundary {
    private final ComputationGraph graph;
    private final Map<String, Integer> stageOf;

    public Boundary(ComputationGraph graph, PlacementPlan plan) {
        this.graph = graph;
        Map<String, Integer> map = new HashMap<>();
        for (Stage s : plan.stages()) {
            s.ops().forEach(op -> map.put(op, s.index()));
        }
        for (OpNode op : graph.ops()) {
            if (!map.containsKey(op.id())) {
                throw new PlanException("op '" + op.id() + "' of graph '" + graph.name() + "' is in no stage");
            }
        }
        this.stageOf = Map.copyOf(map);
    }

    /** Ops of a stage in topological order. */
    public List<OpNode> ops(int stage) {
        return graph.topologicalOrder().stream().filter(o -> stageOf.get(o.id()) == stage).toList();
    }

    /** Ops of stage {@code from} whose outputs ops of stage {@code to} read, in topological order. */
    public List<String> between(int from, int to) {
        return producers(f -> f == from, c -> c == to);
    }

    /** Ops of earlier stages whose outputs this stage reads. */
    public List<String> received(int stage) {
        return producers(f -> f < stage, c -> c == stage);
    }

    /** Ops of this stage whose outputs later stages read. */
    public List<String> sent(int stage) {
        return producers(f -> f == stage, c -> c > stage);
    }

    private List<String> producers(IntPredicate producerStage, IntPredicate consumerStage) {
        return graph.topologicalOrder().stream()
                .filter(o -> producerStage.test(stageOf.get(o.id())))
                .filter(o -> graph.outgoing(o.id()).stream().anyMatch(t -> consumerStage.test(stageOf.get(t.to()))))
                .map(OpNode::id).toList();
    }
}
