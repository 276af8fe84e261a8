package org.modelpar.workflow.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Stage;

/**
 * A plan's stages as ranges of whole layers. Layers are the graph's layer tags in topological order
 * of their first op (an op without a tag is a layer of its own, named by its id). Stage i holds layers
 * {@code [starts.get(i), starts.get(i + 1))}; this is DeepSpeed's {@code parts} list.
 *
 * @param layers layer names in pipeline order
 * @param starts p + 1 boundaries into {@code layers}: 0, the first layer of each later stage, and the layer count
 */
public record LayerPartition(List<String> layers, List<Integer> starts) {
    public LayerPartition {
        layers = List.copyOf(layers);
        starts = List.copyOf(starts);
    }

    /**
     * Maps the plan's stages to whole layers.
     *
     * @throws ExportException when an op is missing from the graph or from every stage, when a stage
     *                           boundary cuts a layer (naming the stage, the op and the layer), or when the
     *                           stages do not hold the layers in pipeline order
     */
    public static LayerPartition of(ComputationGraph graph, PlacementPlan plan) {
        Map<String, Integer> stageOfOp = new HashMap<>();
        for (Stage s : plan.stages()) {
            for (String op : s.ops()) {
                if (graph.op(op).isEmpty()) {
                    throw new ExportException("plan stage " + s.index() + " names op '" + op
                            + "', which graph '" + graph.name() + "' does not have");
                }
                stageOfOp.put(op, s.index());
            }
        }
        Map<String, Integer> stageOfLayer = new LinkedHashMap<>();
        Map<String, String> firstOpOfLayer = new HashMap<>();
        for (OpNode op : graph.topologicalOrder()) {
            Integer stage = stageOfOp.get(op.id());
            if (stage == null) {
                throw new ExportException("op '" + op.id() + "' of graph '" + graph.name() + "' is in no stage of the plan");
            }
            String layer = layerOf(op);
            Integer previous = stageOfLayer.putIfAbsent(layer, stage);
            firstOpOfLayer.putIfAbsent(layer, op.id());
            if (previous != null && previous.intValue() != stage) {
                throw new ExportException("stage " + Math.max(previous, stage) + " boundary cuts layer '" + layer
                        + "': op '" + op.id() + "' is on stage " + stage + " but op '" + firstOpOfLayer.get(layer)
                        + "' on stage " + previous + "; framework exports need whole layers per stage"
                        + " (edit the plan or re-plan with --pin so that layer '" + layer + "' lies in one stage)");
            }
        }
        List<String> layers = new ArrayList<>(stageOfLayer.keySet());
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        int expected = 0;
        for (int i = 0; i < layers.size(); i++) {
            int stage = stageOfLayer.get(layers.get(i));
            if (stage == expected + 1) {
                starts.add(i);
                expected = stage;
            } else if (stage != expected) {
                throw new ExportException("layer '" + layers.get(i) + "' is on stage " + stage + " but follows a layer on stage "
                        + expected + "; framework exports need the stages to hold consecutive layers in pipeline order");
            }
        }
        if (expected != plan.pipelineStages() - 1) {
            throw new ExportException("the layers reach only stage " + expected + " of " + plan.pipelineStages()
                    + " stages; framework exports need the stages to hold consecutive layers in pipeline order");
        }
        starts.add(layers.size());
        return new LayerPartition(layers, starts);
    }

    /** The layer an op belongs to: its tag, or its id when it has none. */
    public static String layerOf(OpNode op) {
        return op.layer().isEmpty() ? op.id() : op.layer();
    }

    /** Pipeline degree. */
    public int stageCount() {
        return starts.size() - 1;
    }

    /** Layers of one stage, in order. */
    public List<String> stageLayers(int stage) {
        return layers.subList(starts.get(stage), starts.get(stage + 1));
    }
}
