package org.modelpar.graph.io;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.modelpar.graph.GraphException;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.io.Json;

/**
 * The fields of one Hugging Face {@code config.json}, read by an architecture mapping. It remembers which
 * fields were read, so that a field that would change the model's shape and that the mapping did not read
 * is an error rather than silently ignored.
 */
final class HfConfig {
    /** Training sequence length taken when the user gives none: the model's limit, at most this. */
    static final int DEFAULT_MAX_SEQ = 4096;
    /** Fields that change some architecture's parameter tensors; unread ones are refused. */
    private static final Set<String> SHAPE_FIELDS = Set.of("hidden_size", "n_embd", "n_embed", "d_model",
            "num_hidden_layers", "n_layer", "num_layers", "num_decoder_layers", "num_attention_heads", "n_head",
            "num_heads", "num_key_value_heads", "num_kv_heads", "multi_query", "head_dim", "d_kv", "intermediate_size",
            "n_inner", "ffn_dim", "d_ff", "ffn_hidden_size", "attention_bias", "mlp_bias", "bias", "enable_bias",
            "qk_layernorm", "use_qk_norm", "parallel_attn", "use_parallel_residual", "new_decoder_architecture",
            "num_ln_in_parallel_attn", "word_embed_proj_dim", "do_layer_norm_before", "tie_word_embeddings",
            "type_vocab_size", "num_local_experts", "num_experts", "n_routed_experts", "n_shared_experts",
            "num_experts_per_tok", "moe_intermediate_size", "shared_expert_intermediate_size", "first_k_dense_replace",
            "moe_layer_freq", "decoder_sparse_step", "mlp_only_layers", "q_lora_rank", "kv_lora_rank",
            "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim", "relative_attention_num_buckets",
            "feed_forward_proj", "add_cross_attention", "layer_norm_elementwise_affine", "is_encoder_decoder",
            "apply_residual_connection_post_layernorm", "num_nextn_predict_layers");

    private final Json root;
    private final String modelType;
    private final OptionalInt seqLen;
    private final Set<String> read = new HashSet<>();

    HfConfig(Json root, String modelType, OptionalInt seqLen) {
        this.root = root.requireObject();
        this.modelType = modelType;
        this.seqLen = seqLen;
    }

    String modelType() {
        return modelType;
    }

    /** The first present key among {@code keys}, as a positive integer of at most 10^6. */
    Optional<Integer> size(String... keys) {
        for (String key : List.of(keys)) {
            read.add(key);
            Json v = root.field(key);
            if (v.present()) {
                int value = v.positiveInt();
                if (value > 1_000_000) {
                    throw error(key, "expected at most 1000000, got " + value);
                }
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** A size the architecture needs. */
    int required(String... keys) {
        return size(keys).orElseThrow(() -> new GraphException(label() + ": missing " + String.join(" or ", keys)
                + " (needed for model_type " + modelType + ")"));
    }

    /** A non-negative integer field; absent or null gives {@code fallback}. */
    int count(String key, int fallback) {
        read.add(key);
        return root.field(key).optional().map(v -> {
            long value = v.nonNegativeLong();
            if (value > 1_000_000) {
                throw error(key, "expected at most 1000000, got " + value);
            }
            return (int) value;
        }).orElse(fallback);
    }

    boolean flag(String key, boolean fallback) {
        read.add(key);
        return root.field(key).optional().map(Json::bool).orElse(fallback);
    }

    Optional<String> text(String key) {
        read.add(key);
        return root.field(key).optionalString();
    }

    /** Refuses a flag whose value this builder does not build. */
    void requireFlag(String key, boolean fallback, boolean supported) {
        if (flag(key, fallback) != supported) {
            throw unsupported(key, String.valueOf(!supported));
        }
    }

    /** Refuses a list field that is present and not empty. */
    void requireEmptyList(String key) {
        read.add(key);
        root.field(key).optional().filter(v -> !v.node().isArray() || !v.node().isEmpty())
                .ifPresent(v -> { throw unsupported(key, Json.show(v.node())); });
    }

    GraphException unsupported(String key, String value) {
        return error(key, value + " is not supported for model_type " + modelType);
    }

    /** Marks fields as known: read by the Hugging Face implementation without changing the shape. */
    void ignore(String... keys) {
        read.addAll(List.of(keys));
    }

    /**
     * The training sequence length: {@code --seq-len} if given, else min(limit, {@value #DEFAULT_MAX_SEQ}).
     * With learned positions ({@code learned}) a longer one than the table is an error.
     */
    int sequence(int limit, String limitKey, boolean learned) {
        int seq = seqLen.orElse(Math.min(limit, DEFAULT_MAX_SEQ));
        if (learned && seq > limit) {
            throw new GraphException(label() + ": sequence length " + seq + " exceeds the " + limit
                    + " learned positions (" + limitKey + "); give --seq-len of at most " + limit);
        }
        return seq;
    }

    /** Throws for a shape field present in the file that the mapping did not read. */
    void rejectUnreadShapeFields() {
        Set<String> unread = new TreeSet<>();
        root.node().fieldNames().forEachRemaining(f -> {
            if (SHAPE_FIELDS.contains(f) && !read.contains(f) && root.field(f).present()) {
                unread.add(f);
            }
        });
        if (!unread.isEmpty()) {
            String f = unread.iterator().next();
            throw error(f, Json.show(root.node().get(f)) + " changes the model's shape and is not understood for model_type "
                    + modelType);
        }
    }

    String label() {
        return root.source();
    }

    /** An error at field {@code key}: {@code source: key: message}, as every graph reader words it. */
    GraphException error(String key, String message) {
        ProfileException e = root.field(key).error(message);
        return new GraphException(e.getMessage(), e);
    }
}
