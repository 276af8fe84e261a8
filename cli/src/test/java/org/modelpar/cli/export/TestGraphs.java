package org.modelpar.cli.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** Hand-built graphs that follow docs/op-kinds.md, and plans over their layers. */
final class TestGraphs {
    private TestGraphs() {
    }

    /** A GPT decoder with the op ids, kinds, layer tags and attributes of docs/op-kinds.md. */
    static ComputationGraph gpt(String name, int layers, int hidden, int heads, int seq, int vocab) {
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        String h = String.valueOf(hidden);
        String s = String.valueOf(seq);
        ops.add(op("embed", "embedding", "embedding", 4L * (vocab + seq) * hidden,
                Map.of("vocab", String.valueOf(vocab), "hidden", h, "seq", s)));
        String prev = "embed";
        for (int i = 0; i < layers; i++) {
            String b = "block" + i;
            String[][] chain = {
                    {"ln1", "layernorm"}, {"qkv", "linear"}, {"scores", "attention-scores"}, {"softmax", "softmax"},
                    {"context", "attention-context"}, {"proj", "linear"}, {"add1", "residual-add"}, {"ln2", "layernorm"},
                    {"fc1", "linear"}, {"gelu", "gelu"}, {"fc2", "linear"}, {"add2", "residual-add"}};
            for (String[] c : chain) {
                String id = b + "." + c[0];
                Map<String, String> attrs = new LinkedHashMap<>();
                long params = 0;
                switch (c[0]) {
                    case "qkv" -> { attrs.put("in", h); attrs.put("out", String.valueOf(3 * hidden)); params = 4L * (hidden + 1) * 3 * hidden; }
                    case "proj" -> { attrs.put("in", h); attrs.put("out", h); params = 4L * (hidden + 1) * hidden; }
                    case "fc1" -> { attrs.put("in", h); attrs.put("out", String.valueOf(4 * hidden)); params = 4L * (hidden + 1) * 4 * hidden; }
                    case "fc2" -> { attrs.put("in", String.valueOf(4 * hidden)); attrs.put("out", h); params = 4L * (4 * hidden + 1) * hidden; }
                    case "scores", "context" -> { attrs.put("heads", String.valueOf(heads)); attrs.put("headDim", String.valueOf(hidden / heads)); }
                    case "ln1", "ln2" -> { attrs.put("hidden", h); params = 8L * hidden; }
                    default -> attrs.put("hidden", h);
                }
                attrs.put("seq", s);
                ops.add(op(id, c[1], b, params, attrs));
                tensors.add(new TensorEdge("t" + tensors.size(), prev, id, 4L * seq * hidden));
                prev = id;
            }
        }
        ops.add(op("final.ln", "layernorm", "head", 8L * hidden, Map.of("hidden", h, "seq", s)));
        ops.add(op("logits", "logits", "head", 0, Map.of("hidden", h, "vocab", String.valueOf(vocab), "seq", s, "tiedTo", "embed")));
        ops.add(op("loss", "cross-entropy", "head", 0, Map.of("vocab", String.valueOf(vocab), "seq", s)));
        for (String id : List.of("final.ln", "logits", "loss")) {
            tensors.add(new TensorEdge("t" + tensors.size(), prev, id, 4L * seq * hidden));
            prev = id;
        }
        return ComputationGraph.of(name, 1, ops, tensors);
    }

    private static OpNode op(String id, String kind, String layer, long parameterBytes, Map<String, String> attributes) {
        return new OpNode(id, id, kind, layer, 1e6, 2e6, parameterBytes, 1024, 0, Map.of(), attributes);
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
        return new PlacementPlan(graph.name(), "sha256:graph", "test-cluster", "sha256:cluster", precision, OptimizerKind.ADAM,
                microBatchSize * microBatches, microBatchSize, microBatches, schedule, tensorParallel, stages);
    }
}
