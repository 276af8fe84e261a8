package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;

/**
 * How Megatron-LM's tensor parallelism splits a transformer graph's ops (Shoeybi et al., "Megatron-LM", 2019,
 * section 3; Korthikanti et al. 2022, section 4.2). A <em>transformer layer</em> is a layer tag holding an
 * attention op ({@code attention-*} kind). Inside one, a {@code linear} whose output does not feed a
 * {@code residual-add} is column-parallel (QKV, MLP up) and its output is split t ways, as are the outputs of
 * the attention ops, softmax, GeLU and SwiGLU; a {@code linear} feeding a residual add is row-parallel (its
 * input is split, its output is whole); {@code logits} are split over the vocabulary. LayerNorm, residual
 * adds, dropout and the embedding's output are <em>replicated</em>: every tensor rank repeats their work and
 * holds their tensors unless sequence parallelism splits them along the sequence.
 *
 * <p>A graph without attention ops is not a transformer: every op's work and output count as split t ways
 * (the simulator's model for other graphs).
 */
public final class TensorSplit {
    private static final Set<String> SHARDED_KINDS = Set.of("attention-scores", "softmax", "attention-context", "gelu", "swiglu");

    private final Set<String> transformerLayers = new HashSet<>();
    private final Map<String, List<OpNode>> consumers = new HashMap<>();

    private TensorSplit(ComputationGraph graph) {
        for (OpNode op : graph.ops()) {
            if (op.kind().startsWith("attention") && !op.layer().isEmpty()) {
                transformerLayers.add(op.layer());
            }
        }
        Map<String, OpNode> byId = new HashMap<>();
        graph.ops().forEach(op -> byId.put(op.id(), op));
        graph.tensors().forEach(t -> consumers.computeIfAbsent(t.from(), k -> new ArrayList<>()).add(byId.get(t.to())));
    }

    public static TensorSplit of(ComputationGraph graph) {
        return new TensorSplit(graph);
    }

    /** Whether the graph has attention ops, so that these rules apply. */
    public boolean transformer() {
        return !transformerLayers.isEmpty();
    }

    /** Whether the op sits in a transformer layer (a recompute segment of its own). */
    public boolean inTransformerLayer(OpNode op) {
        return transformerLayers.contains(op.layer());
    }

    /**
     * Whether the op is in a transformer layer's attention core ({@code attention-*} and {@code softmax} kinds),
     * what selective recomputation re-runs (Korthikanti et al. 2022, section 5).
     */
    public boolean attentionCore(OpNode op) {
        return inTransformerLayer(op) && (op.kind().startsWith("attention") || op.kind().equals("softmax"));
    }

    /** Whether the op's output is split t ways by tensor parallelism (always in a graph without attention). */
    public boolean shardedOutput(OpNode op) {
        if (!transformer()) {
            return true;
        }
        if (op.kind().equals("logits")) {
            return true;
        }
        if (!inTransformerLayer(op)) {
            return false;
        }
        return SHARDED_KINDS.contains(op.kind()) || op.kind().equals("linear") && !feedsResidual(op);
    }

    /** Whether the op's output feeds a residual add (a row-parallel linear, followed by dropout). */
    public boolean feedsResidual(OpNode op) {
        return consumers.getOrDefault(op.id(), List.of()).stream().anyMatch(c -> c.kind().equals("residual-add"));
    }

    /**
     * Whether every tensor rank repeats the op's whole work unless sequence parallelism splits it: LayerNorm,
     * RMSNorm and residual adds of a transformer graph. Everything else is split t ways.
     */
    public boolean replicatedWork(OpNode op) {
        return transformer() && Set.of("layernorm", "rmsnorm", "residual-add").contains(op.kind());
    }
}
