package org.modelpar.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.PriorityQueue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.jgrapht.graph.DirectedAcyclicGraph;

/**
 * Immutable computation graph: a DAG of ops joined by tensors (JGraphT {@link DirectedAcyclicGraph}
 * inside, with each tensor its own edge object). Validated on construction: at least one op, unique op
 * and tensor ids, tensor endpoints present, no cycle (the error lists the ops on it). It also says whether the
 * model trains with dropout ({@link #dropout()}).
 */
public final class ComputationGraph {
    private final String name;
    private final int measuredBatchSize;
    private final Map<String, OpNode> ops;
    private final List<OpNode> opsInOrder;
    private final List<TensorEdge> tensors;
    private final DirectedAcyclicGraph<String, TensorEdge> dag;
    private final List<OpNode> topological;
    private final long parameterBytes;
    private final long activationBytes;
    private final double forwardFlops;
    private final double backwardFlops;
    private final boolean dropout;

    private ComputationGraph(String name, int measuredBatchSize, List<OpNode> opList, List<TensorEdge> tensorList,
                             boolean dropout) {
        if (name == null || name.isBlank()) {
            throw new GraphException("graph name must be a non-empty string, got '" + name + "'");
        }
        if (measuredBatchSize < 1) {
            throw new GraphException("measuredBatchSize must be at least 1, got " + measuredBatchSize);
        }
        if (opList.isEmpty()) {
            throw new GraphException("graph '" + name + "' has no ops");
        }
        this.name = name;
        this.measuredBatchSize = measuredBatchSize;
        this.dropout = dropout;
        Map<String, OpNode> byId = new LinkedHashMap<>();
        for (OpNode op : opList) {
            if (byId.putIfAbsent(op.id(), op) != null) {
                throw new GraphException("duplicate op id '" + op.id() + "'");
            }
        }
        this.ops = Collections.unmodifiableMap(byId);
        this.opsInOrder = List.copyOf(byId.values());
        this.parameterBytes = total(opList, "parameterBytes", OpNode::parameterBytes);
        this.activationBytes = total(opList, "activationBytes", OpNode::activationBytes);
        total(opList, "workspaceBytes", OpNode::workspaceBytes);
        this.forwardFlops = totalFlops(opList, "forwardFlops", OpNode::forwardFlops);
        this.backwardFlops = totalFlops(opList, "backwardFlops", OpNode::backwardFlops);
        this.tensors = List.copyOf(tensorList);
        Map<String, TensorEdge> tensorIds = new HashMap<>();
        for (TensorEdge t : tensors) {
            if (tensorIds.putIfAbsent(t.id(), t) != null) {
                throw new GraphException("duplicate tensor id '" + t.id() + "'");
            }
            for (String end : List.of(t.from(), t.to())) {
                if (!byId.containsKey(end)) {
                    throw new GraphException("tensor '" + t.id() + "' refers to unknown op '" + end + "'");
                }
            }
        }
        this.topological = kahnOrder(opsInOrder, tensors).orElseThrow(() -> new GraphException(
                "graph has a cycle through ops " + String.join(" -> ", CycleFinder.findCycle(byId.keySet(), tensors).orElseThrow())));
        // vertices in topological order, so JGraphT never has to reorder when the edges arrive
        this.dag = new DirectedAcyclicGraph<>(null, null, false, true);
        topological.forEach(op -> dag.addVertex(op.id()));
        tensors.forEach(t -> dag.addEdge(t.from(), t.to(), t));
    }

    /** Kahn's algorithm, ready ops taken in insertion order; empty when there is a cycle. */
    private static Optional<List<OpNode>> kahnOrder(List<OpNode> opList, List<TensorEdge> tensorList) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < opList.size(); i++) {
            index.put(opList.get(i).id(), i);
        }
        int[] indegree = new int[opList.size()];
        List<List<Integer>> successors = new ArrayList<>(opList.size());
        opList.forEach(op -> successors.add(new ArrayList<>(2)));
        for (TensorEdge t : tensorList) {
            int to = index.get(t.to());
            successors.get(index.get(t.from())).add(to);
            indegree[to]++;
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < indegree.length; i++) {
            if (indegree[i] == 0) {
                ready.add(i);
            }
        }
        List<OpNode> order = new ArrayList<>(opList.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(opList.get(i));
            for (int s : successors.get(i)) {
                if (--indegree[s] == 0) {
                    ready.add(s);
                }
            }
        }
        return order.size() == opList.size() ? Optional.of(List.copyOf(order)) : Optional.empty();
    }

    /**
     * Builds and validates a graph of a model that trains with dropout; throws {@link GraphException} naming the
     * culprit when invalid.
     */
    public static ComputationGraph of(String name, int measuredBatchSize, List<OpNode> ops, List<TensorEdge> tensors) {
        return new ComputationGraph(name, measuredBatchSize, ops, tensors, true);
    }

    /**
     * Whether training applies dropout (Megatron-LM's GPT: after the embedding, on the attention probabilities and on
     * the outputs of each residual branch): each applied dropout keeps a 1-byte mask for the backward, and the dropped-out
     * attention probabilities are a tensor of their own (Korthikanti et al., 2022, section 4). Most decoders trained
     * since 2023 (Llama, Mistral, Qwen) set every dropout probability to 0, and PyTorch then neither draws a mask nor
     * copies the tensor. Graphs are built with dropout unless a source says otherwise.
     */
    public boolean dropout() {
        return dropout;
    }

    /**
     * A graph derived from this one (coarsened blocks, a probe of one block, a profiling or workspace graph): new ops
     * and tensors, the same model, so it keeps this graph's model properties ({@link #dropout()}).
     */
    public ComputationGraph derived(String derivedName, int derivedBatchSize, List<OpNode> derivedOps,
                                    List<TensorEdge> derivedTensors) {
        return new ComputationGraph(derivedName, derivedBatchSize, derivedOps, derivedTensors, dropout);
    }

    /** This graph with {@link #dropout()} set to {@code applied}. */
    public ComputationGraph withDropout(boolean applied) {
        return applied == dropout ? this : new ComputationGraph(name, measuredBatchSize, opsInOrder, tensors, applied);
    }

    public String name() {
        return name;
    }

    /** Number of samples the ops' measured times are for. */
    public int measuredBatchSize() {
        return measuredBatchSize;
    }

    /** Ops in insertion (file) order. */
    public List<OpNode> ops() {
        return opsInOrder;
    }

    public List<TensorEdge> tensors() {
        return tensors;
    }

    public int opCount() {
        return ops.size();
    }

    public int tensorCount() {
        return tensors.size();
    }

    public Optional<OpNode> op(String id) {
        return Optional.ofNullable(ops.get(id));
    }

    /** Ops in a deterministic topological order (ties broken by insertion order). */
    public List<OpNode> topologicalOrder() {
        return topological;
    }

    /** Tensors consumed by the op, in graph order. */
    public List<TensorEdge> incoming(String opId) {
        return List.copyOf(dag.incomingEdgesOf(requireOp(opId)));
    }

    /** Tensors produced by the op, in graph order. */
    public List<TensorEdge> outgoing(String opId) {
        return List.copyOf(dag.outgoingEdgesOf(requireOp(opId)));
    }

    /** Total parameter bytes (fp32) of all ops. */
    public long parameterBytes() {
        return parameterBytes;
    }

    /** Total output (stashed activation) bytes per sample of all ops. */
    public long activationBytesPerSample() {
        return activationBytes;
    }

    public double forwardFlopsPerSample() {
        return forwardFlops;
    }

    public double backwardFlopsPerSample() {
        return backwardFlops;
    }

    private static long total(List<OpNode> opList, String field, ToLongFunction<OpNode> value) {
        long sum = 0;
        for (OpNode op : opList) {
            long v = value.applyAsLong(op);
            if (sum > Long.MAX_VALUE - v) {
                throw new GraphException("op '" + op.id() + "': total " + field + " of the graph exceeds 2^63-1 when adding "
                        + v + " to " + sum);
            }
            sum += v;
        }
        return sum;
    }

    private static double totalFlops(List<OpNode> opList, String field, ToDoubleFunction<OpNode> value) {
        double sum = 0;
        for (OpNode op : opList) {
            sum += value.applyAsDouble(op);
            if (!Double.isFinite(sum)) {
                throw new GraphException("op '" + op.id() + "': total " + field + " of the graph is not finite after adding "
                        + value.applyAsDouble(op));
            }
        }
        return sum;
    }

    /** Per device type, forward + backward measured seconds summed over the ops that carry it. */
    public Map<String, Double> measuredSeconds() {
        Map<String, Double> sums = new TreeMap<>();
        for (OpNode op : ops.values()) {
            op.measured().forEach((type, t) -> sums.merge(type, t.totalSeconds(), Double::sum));
        }
        return Collections.unmodifiableMap(sums);
    }

    private String requireOp(String id) {
        if (!ops.containsKey(id)) {
            throw new GraphException("unknown op '" + id + "' in graph '" + name + "'");
        }
        return id;
    }

    @Override
    public String toString() {
        return "ComputationGraph[" + name + ", " + ops.size() + " ops, " + tensors.size() + " tensors]";
    }
}
