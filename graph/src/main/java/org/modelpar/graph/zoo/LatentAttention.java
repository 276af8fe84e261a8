package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.nonNegative;
import static org.modelpar.graph.zoo.ShapeChecks.positive;

/**
 * Multi-head latent attention (DeepSeek-AI, "DeepSeek-V2", 2024, section 2.1): queries and keys/values pass
 * through low-rank latents, and a shared rotary key of {@code ropeDim} channels is concatenated to each head.
 *
 * @param queryRank     rank of the query latent ({@code q_lora_rank}); 0 projects queries directly
 * @param keyValueRank  rank of the key/value latent ({@code kv_lora_rank})
 * @param ropeDim       rotary channels per head ({@code qk_rope_head_dim}), part of the query/key head size
 */
public record LatentAttention(int queryRank, int keyValueRank, int ropeDim) {
    public LatentAttention {
        nonNegative("queryRank", queryRank);
        positive("keyValueRank", keyValueRank);
        positive("ropeDim", ropeDim);
    }
}
