package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.positive;

import java.util.Optional;
import org.modelpar.graph.GraphException;

/**
 * Shape of self-attention.
 *
 * @param heads     query heads H
 * @param kvHeads   key/value heads K (H for multi-head, 1 for multi-query, else grouped-query attention)
 * @param headDim   query/key channels per head d
 * @param valueDim  value channels per head (d except in latent attention)
 * @param qkvBias   whether the query, key and value projections have biases
 * @param outBias   whether the output projection has a bias
 * @param qkNorm    RMSNorm on queries and keys after the projection
 * @param latent    multi-head latent attention, if used (then {@code kvHeads = heads})
 */
public record AttentionShape(int heads, int kvHeads, int headDim, int valueDim, boolean qkvBias, boolean outBias,
                             QkNorm qkNorm, Optional<LatentAttention> latent) {
    /** Where queries and keys are normalized. */
    public enum QkNorm {
        NONE,
        /** One RMSNorm of width d shared by all heads, for queries and for keys (Qwen3). */
        PER_HEAD,
        /** One RMSNorm over all query channels and one over all key channels (OLMo 2). */
        FULL
    }

    public AttentionShape {
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("valueDim", valueDim);
        if (heads % kvHeads != 0) {
            throw new GraphException("heads " + heads + " must be divisible by kvHeads " + kvHeads);
        }
    }

    /** Multi-head or grouped-query attention with head size d for queries, keys and values, no biases. */
    public static AttentionShape of(int heads, int kvHeads, int headDim) {
        return new AttentionShape(heads, kvHeads, headDim, headDim, false, false, QkNorm.NONE, Optional.empty());
    }

    public AttentionShape withBiases(boolean qkv, boolean out) {
        return new AttentionShape(heads, kvHeads, headDim, valueDim, qkv, out, qkNorm, latent);
    }

    public AttentionShape withQkNorm(QkNorm norm) {
        return new AttentionShape(heads, kvHeads, headDim, valueDim, qkvBias, outBias, norm, latent);
    }

    /** Latent attention with query/key head size {@code headDim} (no-rope plus rope channels) and value size {@code valueDim}. */
    public static AttentionShape latent(int heads, int headDim, int valueDim, LatentAttention latent) {
        return new AttentionShape(heads, heads, headDim, valueDim, false, false, QkNorm.NONE, Optional.of(latent));
    }
}
