package org.modelpar.graph.io;

import org.modelpar.graph.zoo.Activation;
import org.modelpar.graph.zoo.Architecture;
import org.modelpar.graph.zoo.AttentionShape;
import org.modelpar.graph.zoo.BlockLayout;
import org.modelpar.graph.zoo.Embeddings;
import org.modelpar.graph.zoo.MlpShape;
import org.modelpar.graph.zoo.Norm;
import org.modelpar.graph.zoo.OutputHead;
import org.modelpar.graph.zoo.Positions;

/**
 * LayerNorm transformers with biases, each as its Hugging Face {@code transformers} implementation builds it:
 * GPT-2, GPT-J, GPT-NeoX, GPT-BigCode (SantaCoder/StarCoder), Falcon, BLOOM, OPT, Phi (1, 1.5, 2), BERT and
 * RoBERTa (both with the masked-LM head of {@code *ForMaskedLM}).
 */
final class HfClassic {
    private HfClassic() {
    }

    private static Architecture layerNorm(int layers, int hidden, int seq, Embeddings e, AttentionShape a, MlpShape m, OutputHead head) {
        return Architecture.decoder(layers, hidden, seq, e, a, m).withNorm(Norm.LAYER).withHead(head);
    }

    private static MlpShape gelu(int intermediate, boolean bias) {
        return new MlpShape(intermediate, Activation.GELU, bias);
    }

    /** GPT-2 ({@code GPT2LMHeadModel}): learned positions, tied output. */
    static Architecture gpt2(HfConfig c) {
        int hidden = c.required("n_embd", "hidden_size");
        int heads = c.required("n_head", "num_attention_heads");
        int positions = c.required("n_positions", "max_position_embeddings");
        c.requireFlag("add_cross_attention", false, false);
        AttentionShape a = AttentionShape.of(heads, heads, HfDecoders.divide(c, hidden, heads)).withBiases(true, true);
        return layerNorm(c.required("n_layer", "num_hidden_layers"), hidden, c.sequence(positions, "n_positions", true),
                Embeddings.learned(c.required("vocab_size"), positions), a, gelu(c.size("n_inner").orElse(4 * hidden), true),
                OutputHead.causal(c.flag("tie_word_embeddings", true)));
    }

    /** GPT-BigCode: GPT-2 with multi-query attention when {@code multi_query}. */
    static Architecture gptBigCode(HfConfig c) {
        Architecture gpt2 = gpt2(c);
        AttentionShape a = gpt2.attention();
        int kv = c.flag("multi_query", true) ? 1 : a.heads();
        return new Architecture(gpt2.layers(), gpt2.hidden(), gpt2.seq(), gpt2.embeddings(), gpt2.norm(), gpt2.layout(),
                AttentionShape.of(a.heads(), kv, a.headDim()).withBiases(true, true), gpt2.mlp(), gpt2.moe(), gpt2.head());
    }

    /** GPT-J: rotary, attention and MLP in parallel off one norm, no attention biases, output bias. */
    static Architecture gptj(HfConfig c) {
        int hidden = c.required("n_embd");
        int heads = c.required("n_head");
        int seq = c.sequence(c.required("n_positions"), "n_positions", false);
        AttentionShape a = AttentionShape.of(heads, heads, HfDecoders.divide(c, hidden, heads));
        return layerNorm(c.required("n_layer"), hidden, seq, Embeddings.of(c.required("vocab_size"), Positions.ROTARY), a,
                gelu(c.size("n_inner").orElse(4 * hidden), true), OutputHead.causal(c.flag("tie_word_embeddings", false)).withBias(true))
                .withLayout(BlockLayout.PARALLEL_SHARED_NORM);
    }

    /** GPT-NeoX (Pythia): rotary, parallel attention and MLP with a norm each unless {@code use_parallel_residual} is false. */
    static Architecture gptNeox(HfConfig c) {
        int hidden = c.required("hidden_size");
        boolean bias = c.flag("attention_bias", true);
        AttentionShape a = HfDecoders.attention(c, hidden).withBiases(bias, bias);
        int seq = c.sequence(c.required("max_position_embeddings"), "max_position_embeddings", false);
        return layerNorm(c.required("num_hidden_layers"), hidden, seq, Embeddings.of(c.required("vocab_size"), Positions.ROTARY), a,
                gelu(c.required("intermediate_size"), true), OutputHead.causal(c.flag("tie_word_embeddings", false)))
                .withLayout(c.flag("use_parallel_residual", true) ? BlockLayout.PARALLEL : BlockLayout.PRE_NORM);
    }

    /** Falcon (the {@code falcon} model type): multi-query or grouped-query, parallel blocks, rotary or ALiBi. */
    static Architecture falcon(HfConfig c) {
        int hidden = c.required("hidden_size");
        int heads = c.required("num_attention_heads");
        boolean newArchitecture = c.flag("new_decoder_architecture", false);
        c.requireFlag("apply_residual_connection_post_layernorm", false, false);
        int kv = newArchitecture ? c.size("num_kv_heads").orElse(heads) : c.flag("multi_query", true) ? 1 : heads;
        boolean bias = c.flag("bias", false);
        AttentionShape a = AttentionShape.of(heads, kv, HfDecoders.divide(c, hidden, heads)).withBiases(bias, bias);
        boolean parallel = c.flag("parallel_attn", true); // implied by the new decoder architecture
        BlockLayout layout = newArchitecture ? (c.size("num_ln_in_parallel_attn").orElse(2) == 2 ? BlockLayout.PARALLEL
                : BlockLayout.PARALLEL_SHARED_NORM) : parallel ? BlockLayout.PARALLEL_SHARED_NORM : BlockLayout.PRE_NORM;
        Positions positions = c.flag("alibi", false) ? Positions.ALIBI : Positions.ROTARY;
        int seq = c.sequence(c.size("max_position_embeddings").orElse(2048), "max_position_embeddings", false);
        return layerNorm(c.required("num_hidden_layers"), hidden, seq, Embeddings.of(c.required("vocab_size"), positions), a,
                gelu(c.size("ffn_hidden_size").orElse(4 * hidden), bias), OutputHead.causal(c.flag("tie_word_embeddings", true)))
                .withLayout(layout);
    }

    /** BLOOM: ALiBi, a LayerNorm after the word embedding, MLP width 4h, tied output. */
    static Architecture bloom(HfConfig c) {
        int hidden = c.required("hidden_size", "n_embed");
        int heads = c.required("n_head", "num_attention_heads");
        c.requireFlag("apply_residual_connection_post_layernorm", false, false);
        c.ignore("n_inner"); // BloomMLP always uses 4h
        AttentionShape a = AttentionShape.of(heads, heads, HfDecoders.divide(c, hidden, heads)).withBiases(true, true);
        int seq = c.sequence(c.size("seq_length").orElse(2048), "seq_length", false);
        return layerNorm(c.required("n_layer", "num_hidden_layers"), hidden, seq,
                Embeddings.of(c.required("vocab_size"), Positions.ALIBI).withNorm(true), a, gelu(4 * hidden, true),
                OutputHead.causal(c.flag("tie_word_embeddings", true)));
    }

    /** OPT: learned positions with OPT's offset of 2 rows, ReLU MLP, tied output; pre-norm variants only. */
    static Architecture opt(HfConfig c) {
        int hidden = c.required("hidden_size");
        int heads = c.required("num_attention_heads");
        if (c.size("word_embed_proj_dim").orElse(hidden) != hidden) {
            throw c.unsupported("word_embed_proj_dim", String.valueOf(c.size("word_embed_proj_dim").orElseThrow()) + " (differs from hidden_size)");
        }
        c.requireFlag("do_layer_norm_before", true, true);
        c.requireFlag("layer_norm_elementwise_affine", true, true);
        c.requireFlag("_remove_final_layer_norm", false, false);
        boolean bias = c.flag("enable_bias", true);
        Activation act = c.text("activation_function").orElse("relu").equals("relu") ? Activation.RELU : Activation.GELU;
        int positions = c.required("max_position_embeddings");
        AttentionShape a = AttentionShape.of(heads, heads, HfDecoders.divide(c, hidden, heads)).withBiases(bias, bias);
        return layerNorm(c.required("num_hidden_layers"), hidden, c.sequence(positions, "max_position_embeddings", true),
                Embeddings.learned(c.required("vocab_size"), positions + 2), a, new MlpShape(c.required("ffn_dim"), act, bias),
                OutputHead.causal(c.flag("tie_word_embeddings", true)));
    }

    /** Phi 1, 1.5 and 2: partial rotary, parallel attention and MLP off one norm, biases everywhere, output bias. */
    static Architecture phi(HfConfig c) {
        int hidden = c.required("hidden_size");
        c.requireFlag("qk_layernorm", false, false);
        AttentionShape a = HfDecoders.attention(c, hidden).withBiases(true, true);
        int seq = c.sequence(c.required("max_position_embeddings"), "max_position_embeddings", false);
        return layerNorm(c.required("num_hidden_layers"), hidden, seq, Embeddings.of(c.required("vocab_size"), Positions.ROTARY), a,
                gelu(c.required("intermediate_size"), true), OutputHead.causal(c.flag("tie_word_embeddings", false)).withBias(true))
                .withLayout(BlockLayout.PARALLEL_SHARED_NORM);
    }

    /** BERT ({@code BertForMaskedLM}): post-norm encoder, learned positions and token types, masked-LM head. */
    static Architecture bert(HfConfig c) {
        return encoder(c, 0);
    }

    /** RoBERTa ({@code RobertaForMaskedLM}): BERT whose position table starts after the padding index (2 rows). */
    static Architecture roberta(HfConfig c) {
        return encoder(c, 2);
    }

    private static Architecture encoder(HfConfig c, int positionOffset) {
        int hidden = c.required("hidden_size");
        int heads = c.required("num_attention_heads");
        int positions = c.required("max_position_embeddings");
        c.requireFlag("tie_word_embeddings", true, true);
        AttentionShape a = AttentionShape.of(heads, heads, HfDecoders.divide(c, hidden, heads)).withBiases(true, true);
        int seq = c.sequence(positions - positionOffset, "max_position_embeddings", true);
        Embeddings e = Embeddings.learned(c.required("vocab_size"), positions).withTokenTypes(c.count("type_vocab_size", 2)).withNorm(true);
        return layerNorm(c.required("num_hidden_layers"), hidden, seq, e, a, gelu(c.required("intermediate_size"), true),
                OutputHead.maskedLanguageModel()).withLayout(BlockLayout.POST_NORM);
    }
}
