package org.modelpar.workflow.export;

import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;

/**
 * The shape of a GPT-style decoder, read from the op attributes of docs/op-kinds.md.
 *
 * @param layers         transformer blocks
 * @param hidden         hidden size h
 * @param heads          attention heads
 * @param kvHeads        key/value heads (equal to heads without grouped-query attention)
 * @param ffnHidden      width of the MLP's inner layer
 * @param seq            sequence length
 * @param vocab          vocabulary size
 * @param experts        the mixture of experts of the feed-forward, if it is one
 */
public record TransformerShape(int layers, long hidden, long heads, long kvHeads, long ffnHidden, long seq, long vocab,
                               Optional<Experts> experts) {
    /**
     * A mixture-of-experts feed-forward (docs/op-kinds.md, {@code moe-router}).
     *
     * @param count routed experts E
     * @param topK  experts per token k
     */
    public record Experts(long count, long topK) {
    }

    /** The shape, or empty when the graph is not a decoder with an {@code embed} op and {@code block0}. */
    public static Optional<TransformerShape> of(ComputationGraph graph) {
        Optional<OpNode> embed = graph.op("embed").filter(op -> op.kind().equals("embedding"));
        Optional<OpNode> scores = graph.op("block0.scores");
        if (embed.isEmpty() || scores.isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> hidden = embed.get().longAttribute("hidden");
        Optional<Long> seq = embed.get().longAttribute("seq");
        Optional<Long> vocab = embed.get().longAttribute("vocab");
        Optional<Long> heads = scores.get().longAttribute("heads");
        if (hidden.isEmpty() || seq.isEmpty() || vocab.isEmpty() || heads.isEmpty()) {
            return Optional.empty();
        }
        long kvHeads = scores.get().longAttribute("kvHeads").orElse(heads.get());
        Optional<OpNode> expert = firstOfKind(graph, "moe-expert");
        long ffn = graph.op("block0.fc1").flatMap(op -> op.longAttribute("out"))
                .or(() -> graph.op("block0.swiglu").flatMap(op -> op.longAttribute("intermediate")))
                .or(() -> expert.flatMap(op -> op.longAttribute("intermediate")))
                .orElse(4 * hidden.get());
        Optional<Experts> experts = firstOfKind(graph, "moe-router").flatMap(router -> router.longAttribute("experts")
                .flatMap(e -> router.longAttribute("topK").map(k -> new Experts(e, k))));
        int layers = (int) graph.ops().stream().map(OpNode::layer).filter(ModuleNaming::isBlock).distinct().count();
        return Optional.of(new TransformerShape(layers, hidden.get(), heads.get(), kvHeads, ffn, seq.get(), vocab.get(), experts));
    }

    private static Optional<OpNode> firstOfKind(ComputationGraph graph, String kind) {
        return graph.topologicalOrder().stream().filter(op -> op.kind().equals(kind)).findFirst();
    }
}
