package org.modelpar.graph.coarsen;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * The result of a coarsening: a block-level graph (each block an op with summed costs; tensors between
 * blocks keep their own ids) and the ops of each block.
 *
 * @param graph      the block-level graph; block ids are its op ids
 * @param opsOfBlock block id -> the original op ids it contains, in topological order (blocks in
 *                   topological order)
 */
public record CoarseGraph(ComputationGraph graph, Map<String, List<String>> opsOfBlock) {
    public CoarseGraph {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        opsOfBlock.forEach((block, ops) -> copy.put(block, List.copyOf(ops)));
        opsOfBlock = Collections.unmodifiableMap(copy);
        for (String block : opsOfBlock.keySet()) {
            if (graph.op(block).isEmpty()) {
                throw new GraphException("block '" + block + "' is not an op of the block graph '" + graph.name() + "'");
            }
        }
    }

    public int blockCount() {
        return opsOfBlock.size();
    }

    /** Original op id -> block id. */
    public Map<String, String> blockOfOp() {
        Map<String, String> m = new HashMap<>();
        opsOfBlock.forEach((block, ops) -> ops.forEach(op -> m.put(op, block)));
        return m;
    }
}
