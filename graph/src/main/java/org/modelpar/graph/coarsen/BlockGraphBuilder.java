package org.modelpar.graph.coarsen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/** Builds the block-level graph from an assignment of ops to blocks: costs summed, crossing tensors kept. */
final class BlockGraphBuilder {
    private BlockGraphBuilder() {
    }

    /**
     * @param graph   the original graph
     * @param blocks  block id -> op ids, blocks in a topological order of the block graph
     */
    static CoarseGraph build(ComputationGraph graph, Map<String, List<String>> blocks) {
        Map<String, String> blockOf = new LinkedHashMap<>();
        List<OpNode> nodes = new ArrayList<>(blocks.size());
        blocks.forEach((block, opIds) -> {
            opIds.forEach(id -> blockOf.put(id, block));
            nodes.add(blockNode(graph, block, opIds));
        });
        List<TensorEdge> tensors = new ArrayList<>();
        for (TensorEdge t : graph.tensors()) {
            String from = blockOf.get(t.from());
            String to = blockOf.get(t.to());
            if (!from.equals(to)) {
                tensors.add(new TensorEdge(t.id(), from, to, t.bytes()));
            }
        }
        ComputationGraph g = graph.derived(graph.name(), graph.measuredBatchSize(), nodes, tensors);
        return new CoarseGraph(g, blocks);
    }

    private static OpNode blockNode(ComputationGraph graph, String block, List<String> opIds) {
        double fwd = 0;
        double bwd = 0;
        long params = 0;
        long act = 0;
        long work = 0;
        Map<String, double[]> measured = new TreeMap<>();
        OpNode first = graph.op(opIds.get(0)).orElseThrow();
        OpNode last = graph.op(opIds.get(opIds.size() - 1)).orElseThrow();
        boolean oneLayer = true;
        for (String id : opIds) {
            OpNode op = graph.op(id).orElseThrow();
            fwd += op.forwardFlops();
            bwd += op.backwardFlops();
            params += op.parameterBytes();
            act += op.activationBytes();
            work += op.workspaceBytes();
            oneLayer &= op.layer().equals(first.layer());
            op.measured().forEach((type, t) -> {
                double[] sum = measured.computeIfAbsent(type, k -> new double[4]);
                sum[0] += t.forwardSeconds();
                sum[1] += t.backwardSeconds();
                sum[2] += t.forwardFixedSeconds();
                sum[3] += t.backwardFixedSeconds();
            });
        }
        Map<String, MeasuredTime> times = new TreeMap<>();
        measured.forEach((type, s) -> times.put(type, new MeasuredTime(s[0], s[1], Math.min(s[2], s[0]), Math.min(s[3], s[1]))));
        String layer = oneLayer ? first.layer() : first.layer() + ".." + last.layer();
        String name = opIds.size() == 1 ? first.id() : first.id() + ".." + last.id();
        return new OpNode(block, name, "block", layer, fwd, bwd, params, act, work, times,
                Map.of("ops", String.valueOf(opIds.size())));
    }
}
