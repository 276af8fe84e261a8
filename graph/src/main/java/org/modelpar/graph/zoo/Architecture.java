package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.positive;

import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * The full shape of a transformer, enough to build every tensor of it: what {@link Transformer} builds and
 * what a Hugging Face {@code config.json} is read into.
 *
 * @param layers     transformer blocks l
 * @param hidden     hidden size h
 * @param seq        tokens per sample s (the training sequence length, not the model's maximum)
 * @param embeddings the input embedding
 * @param norm       the norm used in blocks and at the end
 * @param layout     where blocks put norms and residual adds
 * @param attention  self-attention
 * @param mlp        the dense feed-forward (of every layer without experts)
 * @param moe        the mixture-of-experts feed-forward, if any
 * @param head       what follows the last block
 */
public record Architecture(int layers, int hidden, int seq, Embeddings embeddings, Norm norm, BlockLayout layout,
                           AttentionShape attention, MlpShape mlp, Optional<MoeShape> moe, OutputHead head)
        implements ModelShape {
    /** Ops per block besides the routed experts, an upper bound used to refuse huge models before building. */
    private static final long OPS_PER_BLOCK = 20;
    private static final long FIXED_OPS = 8;

    public Architecture {
        positive("layers", layers);
        positive("hidden", hidden);
        positive("seq", seq);
        if (embeddings.positions() == Positions.LEARNED && seq > embeddings.learnedPositions()) {
            throw new GraphException("seq " + seq + " exceeds the " + embeddings.learnedPositions() + " learned positions");
        }
    }

    /** A pre-norm RMSNorm decoder with an untied output, no experts. */
    public static Architecture decoder(int layers, int hidden, int seq, Embeddings embeddings, AttentionShape attention,
                                       MlpShape mlp) {
        return new Architecture(layers, hidden, seq, embeddings, Norm.RMS, BlockLayout.PRE_NORM, attention, mlp,
                Optional.empty(), OutputHead.causal(false));
    }

    @Override
    public Architecture withSeq(int tokens) {
        return new Architecture(layers, hidden, tokens, embeddings, norm, layout, attention, mlp, moe, head);
    }

    public Architecture withLayers(int blocks) {
        return new Architecture(blocks, hidden, seq, embeddings, norm, layout, attention, mlp, moe, head);
    }

    public Architecture withNorm(Norm n) {
        return new Architecture(layers, hidden, seq, embeddings, n, layout, attention, mlp, moe, head);
    }

    public Architecture withLayout(BlockLayout l) {
        return new Architecture(layers, hidden, seq, embeddings, norm, l, attention, mlp, moe, head);
    }

    public Architecture withMoe(MoeShape m) {
        return new Architecture(layers, hidden, seq, embeddings, norm, layout, attention, mlp, Optional.of(m), head);
    }

    public Architecture withHead(OutputHead h) {
        return new Architecture(layers, hidden, seq, embeddings, norm, layout, attention, mlp, moe, h);
    }

    /** Whether block {@code i} uses the experts rather than the dense MLP. */
    boolean sparse(int i) {
        return moe.filter(m -> i >= m.firstDenseLayers()).isPresent();
    }

    @Override
    public ComputationGraph build(String name) {
        return Transformer.build(name, this);
    }

    @Override
    public long opCountBound() {
        return layers * (OPS_PER_BLOCK + moe.map(MoeShape::experts).orElse(0)) + FIXED_OPS;
    }
}
