package org.modelpar.graph.coarsen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * Groups ops into blocks, preserving all totals and the DAG property. Two strategies: by layer tag
 * (runs of equal tags along the topological order), and down to at most N blocks by contracting linear
 * chains, then merging neighbours in topological order, lightest first (balancing FLOPs and measured time).
 * Both take O((n + m) log n) time.
 */
public final class Coarsener {
    private Coarsener() {
    }

    /**
     * One block per run of ops with the same layer tag along a topological order that keeps each tag's ops
     * together where the dependencies allow ({@code LayerOrder}); a block is named by its tag ({@code tag#2}
     * for a second run of a tag). Ops without a tag stay single blocks named by id.
     */
    public static CoarseGraph byLayer(ComputationGraph graph) {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        List<String> current = null;
        String previousTag = null;
        for (OpNode op : LayerOrder.of(graph)) {
            String tag = op.layer();
            if (current == null || tag.isEmpty() || !tag.equals(previousTag)) {
                String base = tag.isEmpty() ? op.id() : tag;
                String id = base;
                for (int n = 2; blocks.containsKey(id); n++) {
                    id = base + "#" + n;
                }
                current = new ArrayList<>();
                blocks.put(id, current);
            }
            current.add(op.id());
            previousTag = tag;
        }
        return BlockGraphBuilder.build(graph, blocks);
    }

    /**
     * At most {@code maxBlocks} blocks named {@code b0, b1, ...} in topological order (fewer only when the
     * graph has fewer ops). Linear chains are contracted first, lightest first; then neighbours in a
     * topological order are merged, lightest first. An op's weight is its share of the graph's FLOPs plus its
     * share of the measured seconds (1 per op when the graph has neither).
     */
    public static CoarseGraph toAtMost(ComputationGraph graph, int maxBlocks) {
        if (maxBlocks < 1) {
            throw new GraphException("coarsening needs at least 1 block, got " + maxBlocks);
        }
        List<OpNode> topo = graph.topologicalOrder();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < topo.size(); i++) {
            index.put(topo.get(i).id(), i);
        }
        List<int[]> edges = new ArrayList<>(graph.tensorCount());
        for (TensorEdge t : graph.tensors()) {
            edges.add(new int[] {index.get(t.from()), index.get(t.to())});
        }
        BlockMerger merger = new BlockMerger(weights(graph, topo), edges);
        merger.contractChains(maxBlocks);
        List<Integer> order = merger.mergeNeighbours(maxBlocks);
        Map<Integer, List<String>> opsOfRoot = new HashMap<>();
        for (int i = 0; i < topo.size(); i++) {
            opsOfRoot.computeIfAbsent(merger.find(i), r -> new ArrayList<>()).add(topo.get(i).id());
        }
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        for (int k = 0; k < order.size(); k++) {
            blocks.put("b" + k, opsOfRoot.get(order.get(k)));
        }
        return BlockGraphBuilder.build(graph, blocks);
    }

    private static double[] weights(ComputationGraph graph, List<OpNode> topo) {
        double flops = graph.forwardFlopsPerSample() + graph.backwardFlopsPerSample();
        double seconds = graph.measuredSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
        double[] w = new double[topo.size()];
        for (int i = 0; i < w.length; i++) {
            OpNode op = topo.get(i);
            double opSeconds = op.measured().values().stream().mapToDouble(t -> t.totalSeconds()).sum();
            w[i] = (flops > 0 ? (op.forwardFlops() + op.backwardFlops()) / flops : 0)
                    + (seconds > 0 ? opSeconds / seconds : 0)
                    + (flops > 0 || seconds > 0 ? 0 : 1);
        }
        return w;
    }
}
