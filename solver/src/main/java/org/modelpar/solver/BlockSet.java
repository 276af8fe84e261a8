package org.modelpar.solver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.coarsen.CoarseGraph;
import org.modelpar.graph.coarsen.Coarsener;
import org.modelpar.graph.TensorEdge;

/**
 * The op blocks the solver places, in a topological order of the block graph (every tensor goes from a
 * block to the same or a later one), at most {@code maxBlocks}, and the bytes per sample between blocks.
 *
 * @param opsOfBlock op ids per block, in topological order
 * @param linkBytes  per (from, to) block pair with from &lt; to, fp32 bytes per sample
 */
record BlockSet(List<List<String>> opsOfBlock, Map<Long, Long> linkBytes) {
    BlockSet {
        opsOfBlock = opsOfBlock.stream().map(List::copyOf).toList();
        linkBytes = Map.copyOf(linkBytes);
    }

    /**
     * The graph module's coarsening: one block per layer-tag run ({@link Coarsener#byLayer}); when there are
     * more than {@code maxBlocks}, those blocks are merged further ({@link Coarsener#toAtMost}), so a layer is
     * never split across blocks. Exception: when the layers are few (at most a quarter of {@code maxBlocks})
     * and some layer holds parallel branches (an Inception module, a residual block with a projection
     * shortcut), the ops themselves are coarsened to {@code maxBlocks} blocks, so a stage boundary may fall
     * between a layer's branches; a layer whose ops form one path (a transformer layer) keeps the layer blocks.
     */
    static BlockSet of(ComputationGraph graph, int maxBlocks) {
        CoarseGraph layers = Coarsener.byLayer(graph);
        List<List<String>> runs = new ArrayList<>();
        if (layers.blockCount() * 4 <= maxBlocks && hasParallelBranches(graph, layers)) {
            runs.addAll(Coarsener.toAtMost(graph, maxBlocks).opsOfBlock().values());
        } else if (layers.blockCount() <= maxBlocks) {
            runs.addAll(layers.opsOfBlock().values());
        } else {
            for (List<String> layerBlocks : Coarsener.toAtMost(layers.graph(), maxBlocks).opsOfBlock().values()) {
                List<String> ops = new ArrayList<>();
                layerBlocks.forEach(b -> ops.addAll(layers.opsOfBlock().get(b)));
                runs.add(ops);
            }
        }
        Map<String, Integer> blockOf = new HashMap<>();
        for (int b = 0; b < runs.size(); b++) {
            for (String op : runs.get(b)) {
                blockOf.put(op, b);
            }
        }
        Map<Long, Long> links = new LinkedHashMap<>();
        for (TensorEdge t : graph.tensors()) {
            int from = blockOf.get(t.from());
            int to = blockOf.get(t.to());
            if (from > to) {
                throw new IllegalStateException("coarsening of '" + graph.name() + "' put tensor '" + t.id()
                        + "' from block " + from + " back to block " + to);
            }
            if (from != to) {
                links.merge(key(from, to), t.bytes(), Long::sum);
            }
        }
        return new BlockSet(runs, links);
    }

    /** Whether some layer block has two ops adjacent in its order that no tensor joins (parallel branches). */
    private static boolean hasParallelBranches(ComputationGraph graph, CoarseGraph layers) {
        Set<List<String>> edges = new HashSet<>();
        for (TensorEdge t : graph.tensors()) {
            edges.add(List.of(t.from(), t.to()));
        }
        for (List<String> ops : layers.opsOfBlock().values()) {
            for (int i = 0; i + 1 < ops.size(); i++) {
                if (!edges.contains(List.of(ops.get(i), ops.get(i + 1)))) {
                    return true;
                }
            }
        }
        return false;
    }

    int size() {
        return opsOfBlock.size();
    }

    static long key(int from, int to) {
        return ((long) from << 32) | to;
    }

    static int from(long key) {
        return (int) (key >>> 32);
    }

    static int to(long key) {
        return (int) key;
    }

    /** Whether every link joins consecutive blocks (the block graph is a chain). */
    boolean isChain() {
        return linkBytes.keySet().stream().allMatch(k -> to(k) == from(k) + 1);
    }
}
