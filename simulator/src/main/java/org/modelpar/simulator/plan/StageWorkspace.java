package org.modelpar.simulator.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * The most memory a stage needs beyond its stash while one op runs, per sample (graph units: fp32 bytes),
 * when ops run one at a time, each op's temporaries are freed when it returns, and in the backward pass
 * each gradient is freed once the op that produced the tensor has consumed it (as autograd does): the
 * largest, over the stage's ops {@code o} in order, of o's workspace plus the gradients live while o's
 * backward runs, which are o's output gradient and the gradient of every tensor made before o (in the
 * stage or received) that o or a later op of the stage reads. An op's output is the sum of the tensors it
 * sends (each edge carries its whole output or a disjoint part of it), at most its activation bytes (an
 * output read by two ops is one tensor).
 *
 * <p>Under tensor parallelism of degree t the figure is the tensor group's: an op's workspace and a split tensor's
 * gradient ({@link TensorSplit#shardedOutput}) count once, a replicated tensor's (the residual stream's, whole on every
 * rank unless sequence parallelism splits it) t times, so that one rank holds {@code bytesPerSample / t}.
 *
 * @param bytesPerSample the largest op's workspace plus live gradients, per sample, over the tensor group
 */
public record StageWorkspace(long bytesPerSample) {
    public StageWorkspace {
        if (bytesPerSample < 0) {
            throw new IllegalArgumentException("stage workspace bytes must be non-negative, got " + bytesPerSample);
        }
    }

    /** The workspace of a stage made of {@code ops} (in topological order) of {@code graph}, on one device. */
    public static StageWorkspace of(ComputationGraph graph, List<OpNode> ops) {
        return of(graph, ops, TensorSplit.of(graph), 1, false);
    }

    /**
     * The workspace of a stage made of {@code ops} of {@code graph} over a tensor group of {@code t} ({@code split}
     * says which outputs it splits; with {@code sequenceParallel} it splits the others along the sequence).
     */
    public static StageWorkspace of(ComputationGraph graph, List<OpNode> ops, TensorSplit split, int t,
                                    boolean sequenceParallel) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            index.put(ops.get(i).id(), i);
        }
        // each tensor read in the stage: its producer's output bytes, live in backward down to its first reader
        Map<String, Integer> lastRead = new HashMap<>();
        Map<String, Long> outputBytes = new HashMap<>();
        for (OpNode op : ops) {
            for (TensorEdge e : graph.incoming(op.id())) {
                lastRead.merge(e.from(), index.get(op.id()), Math::max);
                outputBytes.computeIfAbsent(e.from(), p -> groupBytes(graph, p, split, t, sequenceParallel));
            }
        }
        // a tensor's gradient is live for the ops after its producer (all, when received) up to its last reader:
        // a difference array over op positions, O(ops + tensors)
        long[] change = new long[ops.size() + 1];
        lastRead.forEach((producer, last) -> {
            Integer produced = index.get(producer);
            int first = produced == null ? 0 : produced + 1;
            if (first <= last) {
                change[first] = Math.addExact(change[first], outputBytes.get(producer));
                change[last + 1] -= outputBytes.get(producer);
            }
        });
        long perSample = 0;
        long gradients = 0;
        for (int i = 0; i < ops.size(); i++) {
            OpNode op = ops.get(i);
            gradients += change[i];
            long live = Math.addExact(groupBytes(graph, op.id(), split, t, sequenceParallel), gradients);
            perSample = Math.max(perSample, Math.addExact(op.workspaceBytes(), live));
        }
        return new StageWorkspace(perSample);
    }

    /** The op's output bytes over the tensor group: once when split, t times when every rank holds it whole. */
    private static long groupBytes(ComputationGraph graph, String opId, TensorSplit split, int t, boolean sequenceParallel) {
        long bytes = outputBytes(graph, opId);
        boolean whole = t > 1 && !sequenceParallel && !split.shardedOutput(graph.op(opId).orElseThrow());
        return whole ? Math.multiplyExact(bytes, t) : bytes;
    }

    private static long outputBytes(ComputationGraph graph, String opId) {
        long sent = graph.outgoing(opId).stream().mapToLong(TensorEdge::bytes).reduce(0, Math::addExact);
        return Math.min(sent, graph.op(opId).map(OpNode::activationBytes).orElse(sent));
    }
}
