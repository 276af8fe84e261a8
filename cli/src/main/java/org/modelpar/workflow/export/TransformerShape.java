package org.modelpar.workflow.export;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
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
 * @param latent         the latent attention, if the attention is one
 */
public record TransformerShape(int layers, long hidden, long heads, long kvHeads, long ffnHidden, long seq, long vocab,
                               Optional<Experts> experts, Optional<Latent> latent) {
    /**
     * A mixture-of-experts feed-forward (docs/op-kinds.md, {@code moe-router}).
     *
     * @param count        routed experts E
     * @param topK         experts per token k
     * @param ffnHidden    width of one routed expert's inner layer
     * @param sharedHidden width of the shared expert's inner layer (0: none)
     * @param moeLayers    per block in order, whether it is a mixture of experts (false: a dense MLP)
     */
    public record Experts(long count, long topK, long ffnHidden, long sharedHidden, List<Boolean> moeLayers) {
        public Experts {
            moeLayers = List.copyOf(moeLayers);
        }
    }

    /**
     * Multi-head latent attention (DeepSeek-V2, section 2.1; op ids of docs/op-kinds.md: {@code .qa}, {@code .kva},
     * {@code .kva.norm}, {@code .kvb}).
     *
     * @param queryRank    rank of the query latent (0: queries projected directly)
     * @param keyValueRank rank of the key/value latent
     * @param qkHeadDim    query/key channels per head without the rotary part
     * @param ropeHeadDim  rotary channels per head
     * @param valueHeadDim value channels per head
     */
    public record Latent(long queryRank, long keyValueRank, long qkHeadDim, long ropeHeadDim, long valueHeadDim) {
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
        int layers = (int) graph.ops().stream().map(OpNode::layer).filter(ModuleNaming::isBlock).distinct().count();
        Optional<Experts> experts = firstOfKind(graph, "moe-router").flatMap(router -> router.longAttribute("experts")
                .flatMap(e -> router.longAttribute("topK").map(k -> new Experts(e, k,
                        expert.flatMap(op -> op.longAttribute("intermediate")).orElse(ffn), sharedHidden(graph),
                        IntStream.range(0, layers).mapToObj(i -> graph.op("block" + i + ".router").isPresent()).toList()))));
        return Optional.of(new TransformerShape(layers, hidden.get(), heads.get(), kvHeads, ffn, seq.get(), vocab.get(), experts,
                latent(graph, heads.get(), scores.get().longAttribute("headDim"))));
    }

    /** The first shared expert's inner width: {@code block<i>.shared.<gated activation>} or {@code .shared.fc1}. */
    private static long sharedHidden(ComputationGraph graph) {
        return graph.topologicalOrder().stream().filter(op -> ModuleNaming.isBlock(op.layer()) && op.id().contains(".shared."))
                .flatMap(op -> op.longAttribute("intermediate").or(() -> op.id().endsWith(".fc1") ? op.longAttribute("out")
                        : Optional.empty()).stream())
                .findFirst().orElse(0L);
    }

    private static Optional<Latent> latent(ComputationGraph graph, long heads, Optional<Long> headDim) {
        Optional<Long> kvRank = graph.op("block0.kva.norm").flatMap(op -> op.longAttribute("hidden"));
        Optional<Long> kva = graph.op("block0.kva").flatMap(op -> op.longAttribute("out"));
        Optional<Long> kvb = graph.op("block0.kvb").flatMap(op -> op.longAttribute("out"));
        if (kvRank.isEmpty() || kva.isEmpty() || kvb.isEmpty() || headDim.isEmpty()) {
            return Optional.empty();
        }
        long rope = kva.get() - kvRank.get();
        long qk = headDim.get() - rope;
        long queryRank = graph.op("block0.qa").flatMap(op -> op.longAttribute("out")).orElse(0L);
        return Optional.of(new Latent(queryRank, kvRank.get(), qk, rope, kvb.get() / heads - qk));
    }

    private static Optional<OpNode> firstOfKind(ComputationGraph graph, String kind) {
        return graph.topologicalOrder().stream().filter(op -> op.kind().equals(kind)).findFirst();
    }
}
