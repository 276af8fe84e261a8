package org.modelpar.workflow.export;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modelpar.graph.ComputationGraph;

/**
 * How a framework names the module that holds a layer (docs/op-kinds.md): Hugging Face GPT-2
 * ({@code transformer.h.11}), LLaMA ({@code model.layers.11}), BERT ({@code bert.encoder.layer.11}), or, for graphs without a
 * known module hierarchy (CNNs, MLPs, PipeDream imports), the layer tag itself.
 */
public enum ModuleNaming {
    /** {@code GPT2LMHeadModel}: embedding, decoder blocks and head. */
    GPT2("transformer.wte,transformer.wpe", "transformer.h.", "transformer.ln_f,lm_head"),
    /** {@code LlamaForCausalLM}: embedding, decoder layers and head. */
    LLAMA("model.embed_tokens", "model.layers.", "model.norm,lm_head"),
    /** {@code BertForMaskedLM}: embeddings, encoder layers and the masked-LM head. */
    BERT("bert.embeddings", "bert.encoder.layer.", "cls"),
    /** The layer tag is the module name. */
    LAYER_TAGS("", "", "");

    private static final Pattern BLOCK = Pattern.compile("block(\\d+)");

    private final List<String> embedding;
    private final String blockPrefix;
    private final List<String> head;

    ModuleNaming(String embedding, String blockPrefix, String head) {
        this.embedding = embedding.isEmpty() ? List.of() : List.of(embedding.split(","));
        this.blockPrefix = blockPrefix;
        this.head = head.isEmpty() ? List.of() : List.of(head.split(","));
    }

    /**
     * LLAMA for transformers with RMSNorm, BERT for those whose embedding has token types, GPT2 for other
     * transformers, LAYER_TAGS for everything else.
     */
    public static ModuleNaming of(ComputationGraph graph) {
        if (TransformerShape.of(graph).isEmpty()) {
            return LAYER_TAGS;
        }
        if (graph.ops().stream().anyMatch(op -> op.kind().equals("rmsnorm"))) {
            return LLAMA;
        }
        boolean bert = graph.op("embed").map(op -> op.attributes().containsKey("typeVocab")).orElse(false);
        return bert ? BERT : GPT2;
    }

    /** The framework modules that make up one layer, in order. */
    public List<String> modules(String layer) {
        if (this == LAYER_TAGS) {
            return List.of(layer);
        }
        Matcher m = BLOCK.matcher(layer);
        if (m.matches()) {
            return List.of(blockPrefix + m.group(1));
        }
        if (layer.equals("embedding")) {
            return embedding;
        }
        if (layer.equals("head")) {
            return head;
        }
        return List.of(layer);
    }

    /** Whether a layer is a transformer block (counted by Megatron's {@code --num-layers}). */
    public static boolean isBlock(String layer) {
        return BLOCK.matcher(layer).matches();
    }
}
