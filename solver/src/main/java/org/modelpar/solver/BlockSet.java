package org.modelpar.solver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * The op blocks the solver places: runs of ops along the graph's topological order (so every tensor goes
 * from a block to the same or a later one), at most {@code maxBlocks}, and the bytes per sample between
 * blocks.
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
     * Groups the topological order into runs of equal layer tag, then merges neighbouring runs (lightest
     * pair first by op count) until at most {@code maxBlocks} remain.
     */
    static BlockSet of(ComputationGraph graph, int maxBlocks) {
        List<List<String>> runs = new ArrayList<>();
        String previous = null;
        for (OpNode op : graph.topologicalOrder()) {
            if (runs.isEmpty() || op.layer().isEmpty() || !op.layer().equals(previous)) {
                runs.add(new ArrayList<>());
            }
            runs.get(runs.size() - 1).add(op.id());
            previous = op.layer();
        }
        while (runs.size() > maxBlocks) {
            int best = 0;
            for (int i = 1; i + 1 < runs.size(); i++) {
                if (runs.get(i).size() + runs.get(i + 1).size() < runs.get(best).size() + runs.get(best + 1).size()) {
                    best = i;
                }
            }
            runs.get(best).addAll(runs.remove(best + 1));
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
            if (from != to) {
                links.merge(key(from, to), t.bytes(), Long::sum);
            }
        }
        return new BlockSet(runs, links);
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
