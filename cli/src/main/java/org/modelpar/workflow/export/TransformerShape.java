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
 */
public record TransformerShape(int layers, long hidden, long heads, long kvHeads, long ffnHidden, long seq, long vocab) {

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
        long ffn = graph.op("block0.fc1").flatMap(op -> op.longAttribute("out"))
                .or(() -> graph.op("block0.swiglu").flatMap(op -> op.longAttribute("intermediate")))
                .orElse(4 * hidden.get());
        int layers = (int) graph.ops().stream().map(OpNode::layer).filter(ModuleNaming::isBlock).distinct().count();
        return Optional.of(new TransformerShape(layers, hidden.get(), heads.get(), kvHeads, ffn, seq.get(), vocab.get()));
    }
}
