package org.modelpar.graph.zoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/** Collects ops and tensors of a zoo model; tensors are named {@code from->to}. */
final class GraphBuilder {
    /** Bytes of one fp32 value. */
    static final long FP32 = 4;

    private final List<OpNode> ops = new ArrayList<>();
    private final Map<String, OpNode> byId = new LinkedHashMap<>();
    private final List<TensorEdge> tensors = new ArrayList<>();

    /**
     * Adds an op whose forward FLOPs are {@code forwardFlops} and backward FLOPs twice that (a matmul's
     * backward computes two products of the same size).
     */
    OpNode op(String id, String kind, String layer, double forwardFlops, long parameterCount, long activationValues,
              long workspaceValues, Map<String, String> attributes) {
        OpNode op = new OpNode(id, id, kind, layer, forwardFlops, 2 * forwardFlops,
                Math.multiplyExact(parameterCount, FP32), Math.multiplyExact(activationValues, FP32),
                Math.multiplyExact(workspaceValues, FP32), Map.of(), attributes);
        ops.add(op);
        byId.put(id, op);
        return op;
    }

    /** A tensor carrying the producer's whole output. */
    void edge(String from, String to) {
        edge(from, to, byId.get(from).activationBytes());
    }

    void edge(String from, String to, long bytes) {
        tensors.add(new TensorEdge(from + "->" + to, from, to, bytes));
    }

    ComputationGraph build(String name) {
        return ComputationGraph.of(name, 1, ops, tensors);
    }

    /** Attribute map from alternating key/value pairs; values are converted with {@code String.valueOf}. */
    static Map<String, String> attrs(Object... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
        }
        return m;
    }
}
