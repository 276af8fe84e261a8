package org.modelpar.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.modelpar.executor.kernel.SequenceSplit;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.TensorSplit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Scatter/gather of pipeline messages (Narayanan et al., "Efficient large-scale language model training on GPU
 * clusters using Megatron-LM", SC 2021, section 4.1): a boundary tensor that every tensor rank holds whole is sent
 * in t parts, rank r sending every sample's r-th part of the sequence ({@link SequenceSplit#cut}) to rank r of the
 * next stage (in a graph without a sequence, an MLP's, the r-th part of the micro-batch's samples), and the receiving
 * replica all-gathers the whole tensor over its own devices (the program's {@code BoundaryAllGather}) before the
 * compute that reads it. Its gradient, equal on every rank too, travels back
 * the same way. A tensor the ranks hold different parts of (a column-parallel output) is sent whole, as without
 * scatter/gather.
 */
final class MessageScatter {
    /** Messages sent whole. */
    static final MessageScatter NONE = new MessageScatter(1, 0, 1, Set.of());

    private final int parts;
    private final int rank;
    /** The sequence a message's rows are cut along: every sample's, or 0 for the micro-batch's samples. */
    private final long seq;
    private final Set<String> scattered;

    private MessageScatter(int parts, int rank, long seq, Set<String> scattered) {
        this.parts = parts;
        this.rank = rank;
        this.seq = seq;
        this.scattered = Set.copyOf(scattered);
    }

    /** How tensor rank {@code rank} of {@code plan} sends its messages: in parts when the plan scatters them. */
    static MessageScatter of(ComputationGraph graph, PlacementPlan plan, int rank) {
        if (!plan.options().gathersMessages() || plan.tensorParallel() == 1) {
            return NONE;
        }
        TensorSplit split = TensorSplit.of(graph);
        Set<String> whole = graph.ops().stream().filter(op -> !split.shardedOutput(op))
                .map(OpNode::id).collect(Collectors.toSet());
        long seq = sequence(graph).orElse(0L);
        return new MessageScatter(plan.tensorParallel(), rank, seq, whole);
    }

    /** The sequence length of the graph's embedding, if it has one: what its pipeline messages are cut along. */
    static Optional<Long> sequence(ComputationGraph graph) {
        return graph.ops().stream().filter(op -> op.kind().equals("embedding")).findFirst().flatMap(op -> op.longAttribute("seq"));
    }

    /** What this rank sends of {@code producer}'s output rows {@code [n * s, h]}: its part, or all of them. */
    INDArray cut(String producer, INDArray rows) {
        return scattered.contains(producer) ? SequenceSplit.cut(rows, seq > 0 ? seq : rows.size(0), parts, rank) : rows;
    }

    /**
     * The whole tensors from the parts this rank received ({@code received}, by producer), all-gathered over its
     * replica's {@code group} (collective ids {@code <id> <producer>}, in name order on every rank whatever order the
     * transport delivered them in); tensors sent whole pass as they are.
     */
    Map<String, INDArray> gather(String id, String device, List<String> group, Map<String, INDArray> received, RunContext run)
            throws InterruptedException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : new TreeMap<>(received).entrySet()) {
            INDArray part = e.getValue();
            if (!scattered.contains(e.getKey())) {
                out.put(e.getKey(), part);
                continue;
            }
            long length = part.length();
            INDArray flat = Nd4j.create(part.dataType(), parts * length);
            flat.get(NDArrayIndex.interval(rank * length, (rank + 1) * length)).assign(part.reshape(length));
            run.collectives().allGather(id + " " + e.getKey(), device, group, flat, run.control());
            long cutAlong = seq > 0 ? seq : parts * part.size(0);
            out.put(e.getKey(), SequenceSplit.join(flat.reshape(parts, length), cutAlong, part.size(1)));
        }
        return out;
    }
}
