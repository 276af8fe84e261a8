package org.modelpar.graph.io;

import org.modelpar.graph.GraphException;
import org.modelpar.graph.zoo.Activation;
import org.modelpar.graph.zoo.Architecture;
import org.modelpar.graph.zoo.AttentionShape;
import org.modelpar.graph.zoo.AttentionShape.QkNorm;
import org.modelpar.graph.zoo.BlockLayout;
import org.modelpar.graph.zoo.Embeddings;
import org.modelpar.graph.zoo.MlpShape;
import org.modelpar.graph.zoo.Positions;

/**
 * Rotary-position RMSNorm decoders of the LLaMA line, each as its Hugging Face {@code transformers}
 * implementation builds it ({@code modeling_<type>.py}): LLaMA 1-3, Mistral, Qwen2, Qwen3, Gemma, Gemma 2,
 * OLMo 2 and Phi-3.
 */
final class HfDecoders {
    private HfDecoders() {
    }

    /** {@code hidden_size / num_attention_heads}, or {@code head_dim} when the config gives it. */
    static AttentionShape attention(HfConfig c, int hidden, int defaultHeadDim) {
        int heads = c.required("num_attention_heads");
        int kv = c.size("num_key_value_heads").orElse(heads);
        int headDim = c.size("head_dim").orElseGet(() -> defaultHeadDim > 0 ? defaultHeadDim : divide(c, hidden, heads));
        return AttentionShape.of(heads, kv, headDim);
    }

    static AttentionShape attention(HfConfig c, int hidden) {
        return attention(c, hidden, 0);
    }

    static int divide(HfConfig c, int hidden, int heads) {
        if (hidden % heads != 0) {
            throw new GraphException(c.label() + ": hidden size " + hidden + " is not divisible by " + heads
                    + " attention heads (give head_dim)");
        }
        return hidden / heads;
    }

    /** The decoder shared by this family: rotary positions, pre-RMSNorm, untied unless the config ties. */
    static Architecture decoder(HfConfig c, int hidden, AttentionShape attention, MlpShape mlp, boolean tiedByDefault) {
        int layers = c.required("num_hidden_layers");
        int vocab = c.required("vocab_size");
        int seq = c.sequence(c.required("max_position_embeddings"), "max_position_embeddings", false);
        return Architecture.decoder(layers, hidden, seq, Embeddings.of(vocab, Positions.ROTARY), attention, mlp)
                .withHead(org.modelpar.graph.zoo.OutputHead.causal(c.flag("tie_word_embeddings", tiedByDefault)));
    }

    static MlpShape swiglu(HfConfig c) {
        return new MlpShape(c.required("intermediate_size"), Activation.SWIGLU, false);
    }

    /** LLaMA 1, 2, 3.x ({@code LlamaForCausalLM}): optional attention and MLP biases. */
    static Architecture llama(HfConfig c) {
        int hidden = c.required("hidden_size");
        boolean bias = c.flag("attention_bias", false);
        MlpShape mlp = new MlpShape(c.required("intermediate_size"), Activation.SWIGLU, c.flag("mlp_bias", false));
        return decoder(c, hidden, attention(c, hidden).withBiases(bias, bias), mlp, false);
    }

    /** Mistral ({@code MistralForCausalLM}): LLaMA without bias options. */
    static Architecture mistral(HfConfig c) {
        int hidden = c.required("hidden_size");
        return decoder(c, hidden, attention(c, hidden), swiglu(c), false);
    }

    /** Qwen2 and Qwen2.5: biases on the query, key and value projections only. */
    static Architecture qwen2(HfConfig c) {
        int hidden = c.required("hidden_size");
        return decoder(c, hidden, attention(c, hidden).withBiases(true, false), swiglu(c), false);
    }

    /** Qwen3: RMSNorm of the head size on queries and keys; {@code head_dim} defaults to 128. */
    static Architecture qwen3(HfConfig c) {
        int hidden = c.required("hidden_size");
        boolean bias = c.flag("attention_bias", false);
        return decoder(c, hidden, attention(c, hidden, 128).withBiases(bias, bias).withQkNorm(QkNorm.PER_HEAD), swiglu(c), true);
    }

    /** Gemma: GELU-gated MLP, {@code head_dim} 256 by default, tied output. */
    static Architecture gemma(HfConfig c) {
        int hidden = c.required("hidden_size");
        boolean bias = c.flag("attention_bias", false);
        MlpShape mlp = new MlpShape(c.required("intermediate_size"), Activation.GEGLU, false);
        return decoder(c, hidden, attention(c, hidden, 256).withBiases(bias, bias), mlp, true);
    }

    /** Gemma 2: Gemma with a norm before and after attention and the MLP. */
    static Architecture gemma2(HfConfig c) {
        return gemma(c).withLayout(BlockLayout.SANDWICH);
    }

    /** OLMo 2: norms on the attention and MLP outputs, RMSNorm over all query and all key channels. */
    static Architecture olmo2(HfConfig c) {
        int hidden = c.required("hidden_size");
        boolean bias = c.flag("attention_bias", false);
        return decoder(c, hidden, attention(c, hidden).withBiases(bias, bias).withQkNorm(QkNorm.FULL), swiglu(c), false)
                .withLayout(BlockLayout.OUTPUT_NORM);
    }

    /** Phi-3 and Phi-3.5: fused QKV and gate/up projections, no biases. */
    static Architecture phi3(HfConfig c) {
        int hidden = c.required("hidden_size");
        c.ignore("original_max_position_embeddings");
        return decoder(c, hidden, attention(c, hidden), swiglu(c), false);
    }
}
