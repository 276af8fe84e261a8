package org.modelpar.executor.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Stage;

/**
 * Which op outputs cross each stage boundary. The forward message from stage s to s + 1 carries the
 * outputs of ops in stages {@code <= s} read by ops in stages {@code > s} (a tensor that skips a stage
 * passes through it); the backward message carries their gradients.
 */
public final class Boundary {
    private final ComputationGraph graph;
    private final Map<String, Integer> stageOf;

    public Boundary(ComputationGraph graph, PlacementPlan plan) {
        this.graph = graph;
        Map<String, Integer> map = new HashMap<>();
        for (Stage s : plan.stages()) {
            for (String op : s.ops()) {
                if (graph.op(op).isEmpty()) {
                    throw new PlanException("stage " + s.index() + " names op '" + op + "', which graph '"
                            + graph.name() + "' does not have");
                }
                Integer old = map.put(op, s.index());
                if (old != null) {
                    throw new PlanException("op '" + op + "' is in stages " + old + " and " + s.index());
                }
            }
        }
        for (OpNode op : graph.ops()) {
            if (!map.containsKey(op.id())) {
                throw new PlanException("op '" + op.id() + "' of graph '" + graph.name() + "' is in no stage");
            }
        }
        for (TensorEdge t : graph.tensors()) {
            if (map.get(t.from()) > map.get(t.to())) {
                throw new PlanException("tensor '" + t.id() + "' flows backwards from stage " + map.get(t.from())
                        + " (op " + t.from() + ") to stage " + map.get(t.to()) + " (op " + t.to() + ")");
            }
        }
        this.stageOf = Map.copyOf(map);
    }

    public int stageOf(String opId) {
        return stageOf.get(opId);
    }

    /** Ops of a stage in topological order. */
    public List<OpNode> ops(int stage) {
        return graph.topologicalOrder().stream().filter(o -> stageOf.get(o.id()) == stage).toList();
    }

    /** Producers whose outputs cross from stage {@code s} to {@code s + 1}, in topological order. */
    public List<String> crossing(int s) {
        return graph.topologicalOrder().stream()
                .filter(o -> stageOf.get(o.id()) <= s)
                .filter(o -> graph.outgoing(o.id()).stream().anyMatch(t -> stageOf.get(t.to()) > s))
                .map(OpNode::id).toList();
    }
}
