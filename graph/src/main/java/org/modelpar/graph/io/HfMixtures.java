package org.modelpar.graph.io;

import org.modelpar.graph.zoo.Activation;
import org.modelpar.graph.zoo.Architecture;
import org.modelpar.graph.zoo.AttentionShape;
import org.modelpar.graph.zoo.LatentAttention;
import org.modelpar.graph.zoo.MlpShape;
import org.modelpar.graph.zoo.MoeShape;

/**
 * Mixture-of-experts decoders, each as its Hugging Face {@code transformers} implementation builds it:
 * Mixtral, Qwen-MoE ({@code qwen2_moe}) and DeepSeek-V2/V3 (latent attention, shared experts, dense first layers).
 */
final class HfMixtures {
    private HfMixtures() {
    }

    /** Mixtral: Mistral attention, every MLP replaced by {@code num_local_experts} SwiGLU experts, top-k routing. */
    static Architecture mixtral(HfConfig c) {
        int hidden = c.required("hidden_size");
        MlpShape expert = HfDecoders.swiglu(c);
        MoeShape moe = MoeShape.routed(c.required("num_local_experts"), c.required("num_experts_per_tok"), expert);
        return HfDecoders.decoder(c, hidden, HfDecoders.attention(c, hidden), expert, false).withMoe(moe);
    }

    /** Qwen1.5-MoE / Qwen2-MoE: Qwen2 attention; routed experts plus one gated shared expert in every layer. */
    static Architecture qwen2Moe(HfConfig c) {
        int hidden = c.required("hidden_size");
        if (c.size("decoder_sparse_step").orElse(1) != 1) {
            throw c.unsupported("decoder_sparse_step", String.valueOf(c.size("decoder_sparse_step").orElseThrow()));
        }
        c.requireEmptyList("mlp_only_layers");
        MlpShape expert = new MlpShape(c.required("moe_intermediate_size"), Activation.SWIGLU, false);
        MoeShape moe = MoeShape.routed(c.required("num_experts"), c.required("num_experts_per_tok"), expert);
        int shared = c.count("shared_expert_intermediate_size", 0);
        if (shared > 0) {
            moe = moe.withShared(new MlpShape(shared, Activation.SWIGLU, false), true);
        }
        return HfDecoders.decoder(c, hidden, HfDecoders.attention(c, hidden).withBiases(true, false), HfDecoders.swiglu(c), false)
                .withMoe(moe);
    }

    /**
     * DeepSeek-V2 and V3: multi-head latent attention, {@code n_shared_experts} shared experts of
     * {@code moe_intermediate_size} each, the first {@code first_k_dense_replace} layers dense. The V3
     * checkpoint's multi-token-prediction layers ({@code num_nextn_predict_layers}) are not part of the
     * Hugging Face model and are not built.
     */
    static Architecture deepseek(HfConfig c) {
        int hidden = c.required("hidden_size");
        int heads = c.required("num_attention_heads");
        c.size("num_key_value_heads"); // latent attention gives every head its keys and values
        c.requireFlag("attention_bias", false, false);
        c.ignore("num_nextn_predict_layers");
        if (c.size("moe_layer_freq").orElse(1) != 1) {
            throw c.unsupported("moe_layer_freq", String.valueOf(c.size("moe_layer_freq").orElseThrow()));
        }
        int rope = c.required("qk_rope_head_dim");
        LatentAttention latent = new LatentAttention(c.count("q_lora_rank", 0), c.required("kv_lora_rank"), rope);
        AttentionShape a = AttentionShape.latent(heads, c.required("qk_nope_head_dim") + rope, c.required("v_head_dim"), latent);
        int expertWidth = c.required("moe_intermediate_size");
        MlpShape expert = new MlpShape(expertWidth, Activation.SWIGLU, false);
        MoeShape moe = MoeShape.routed(c.required("n_routed_experts"), c.required("num_experts_per_tok"), expert)
                .withFirstDenseLayers(c.count("first_k_dense_replace", 0));
        int shared = c.count("n_shared_experts", 0);
        if (shared > 0) {
            moe = moe.withShared(new MlpShape(shared * expertWidth, Activation.SWIGLU, false), false);
        }
        return HfDecoders.decoder(c, hidden, a, HfDecoders.swiglu(c), false).withMoe(moe);
    }
}
