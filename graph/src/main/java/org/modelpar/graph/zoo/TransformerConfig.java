package org.modelpar.graph.zoo;

import org.modelpar.graph.GraphException;

/**
 * Shape of a transformer model.
 *
 * @param style        GPT (Megatron-style: biases, learned positions, tied output, pre-LayerNorm), LLAMA
 *                     (RMSNorm, SwiGLU, rotary positions, no biases, untied output, grouped-query attention)
 *                     or BERT (post-LayerNorm encoder with a masked-LM head)
 * @param layers       transformer layers l
 * @param hidden       hidden size h
 * @param heads        attention heads
 * @param kvHeads      key/value heads (= heads unless grouped-query attention)
 * @param seq          sequence length s (tokens per sample)
 * @param vocab        vocabulary size V
 * @param ffn          MLP intermediate width (4h for GPT)
 */
public record TransformerConfig(Style style, int layers, int hidden, int heads, int kvHeads, int seq, int vocab, int ffn) {
    /** The architecture family. */
    public enum Style { GPT, LLAMA, BERT }

    public TransformerConfig {
        ShapeChecks.positive("layers", layers);
        ShapeChecks.positive("hidden", hidden);
        ShapeChecks.positive("heads", heads);
        ShapeChecks.positive("kvHeads", kvHeads);
        ShapeChecks.positive("seq", seq);
        ShapeChecks.positive("vocab", vocab);
        ShapeChecks.positive("ffn", ffn);
        if (hidden % heads != 0) {
            throw new GraphException("hidden " + hidden + " must be divisible by heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new GraphException("heads " + heads + " must be divisible by kvHeads " + kvHeads);
        }
    }

    /** A Megatron-style GPT with MLP width 4h. */
    public static TransformerConfig gpt(int layers, int hidden, int heads, int seq, int vocab) {
        return new TransformerConfig(Style.GPT, layers, hidden, heads, heads, seq, vocab, 4 * hidden);
    }

    public int headDim() {
        return hidden / heads;
    }

    /** The full architecture of this style. */
    public Architecture architecture() {
        AttentionShape attention = AttentionShape.of(heads, kvHeads, headDim());
        return switch (style) {
            case GPT -> Architecture.decoder(layers, hidden, seq, Embeddings.learned(vocab, seq), attention.withBiases(true, true),
                    new MlpShape(ffn, Activation.GELU, true)).withNorm(Norm.LAYER).withHead(OutputHead.causal(true));
            case LLAMA -> Architecture.decoder(layers, hidden, seq, Embeddings.of(vocab, Positions.ROTARY), attention,
                    new MlpShape(ffn, Activation.SWIGLU, false));
            case BERT -> Architecture.decoder(layers, hidden, seq, Embeddings.learned(vocab, seq).withTokenTypes(2).withNorm(true),
                    attention.withBiases(true, true), new MlpShape(ffn, Activation.GELU, true))
                    .withNorm(Norm.LAYER).withLayout(BlockLayout.POST_NORM).withHead(OutputHead.maskedLanguageModel());
        };
    }
}
