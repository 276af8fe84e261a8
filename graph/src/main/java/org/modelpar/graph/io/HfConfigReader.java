package org.modelpar.graph.io;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.zoo.Transformer;
import org.modelpar.graph.zoo.TransformerConfig;
import org.modelpar.graph.zoo.TransformerConfig.Style;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.io.Json;

/**
 * Reads a Hugging Face {@code config.json} into a transformer graph built by the zoo. Key conventions:
 * GPT-2 ({@code n_embd}, {@code n_layer}, {@code n_head}, {@code n_positions}, {@code n_inner}), LLaMA and
 * BERT ({@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads},
 * {@code max_position_embeddings}, {@code intermediate_size}, {@code num_key_value_heads}), and
 * {@code vocab_size}. The family comes from {@code model_type} ({@code llama}/{@code mistral} -> LLaMA
 * style, {@code bert}/{@code roberta} -> BERT style, anything else a GPT).
 */
final class HfConfigReader {
    /** Upper bound on ops per transformer layer built by the zoo (GPT and BERT 12, LLaMA 11) plus the fixed ones. */
    private static final long OPS_PER_LAYER = 12;
    private static final long FIXED_OPS = 6;
    private final String label;
    private final ImportOptions options;

    HfConfigReader(String label, ImportOptions options) {
        this.label = label;
        this.options = options;
    }

    ComputationGraph read(String text, String defaultName) {
        try {
            return readTree(Json.parse(text, label).requireObject(), defaultName);
        } catch (ProfileException e) {
            throw new GraphException(e.getMessage(), e);
        }
    }

    private ComputationGraph readTree(Json root, String defaultName) {
        String type = root.field("model_type").optionalString().orElse("gpt2").toLowerCase(Locale.ROOT);
        Style style = switch (type) {
            case "llama", "mistral" -> Style.LLAMA;
            case "bert", "roberta" -> Style.BERT;
            default -> Style.GPT;
        };
        int hidden = positive(root, "n_embd", "hidden_size").orElseThrow(() -> missing("n_embd", "hidden_size"));
        int layers = positive(root, "n_layer", "num_hidden_layers").orElseThrow(() -> missing("n_layer", "num_hidden_layers"));
        int heads = positive(root, "n_head", "num_attention_heads").orElseThrow(() -> missing("n_head", "num_attention_heads"));
        int vocab = positive(root, "vocab_size").orElseThrow(() -> missing("vocab_size"));
        int seq = positive(root, "n_positions", "max_position_embeddings", "n_ctx")
                .orElseThrow(() -> missing("n_positions", "max_position_embeddings"));
        int kvHeads = positive(root, "num_key_value_heads").orElse(heads);
        int ffn = positive(root, "n_inner", "intermediate_size").orElse(4 * hidden);
        long ops = OPS_PER_LAYER * layers + FIXED_OPS;
        if (ops > options.maxOps()) {
            throw new GraphException(label + ": n_layer/num_hidden_layers: " + layers + " layers give up to " + ops
                    + " ops, above the limit of " + options.maxOps() + " ops");
        }
        String name = root.field("_name_or_path").optionalString().filter(n -> !n.isBlank()).orElse(defaultName);
        try {
            return Transformer.build(name, new TransformerConfig(style, layers, hidden, heads, kvHeads, seq, vocab, ffn));
        } catch (GraphException e) {
            throw new GraphException(label + ": " + e.getMessage(), e);
        } catch (ArithmeticException e) {
            throw new GraphException(label + ": model sizes overflow 64-bit byte counts", e);
        }
    }

    private GraphException missing(String... keys) {
        return new GraphException(label + ": missing " + String.join(" or ", keys));
    }

    /** The first present key among {@code keys}, as a positive integer of at most 10^6. */
    private static Optional<Integer> positive(Json root, String... keys) {
        for (String key : List.of(keys)) {
            Json v = root.field(key);
            if (v.present()) {
                int value = v.positiveInt();
                if (value > 1_000_000) {
                    throw v.error("expected at most 1000000, got " + value);
                }
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
