package org.modelpar.graph.io;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.modelpar.graph.zoo.ModelShape;

/** The Hugging Face {@code model_type}s modelpar builds, each mapped to the reader of its config. */
final class HfArchitectures {
    private static final Map<String, Function<HfConfig, ModelShape>> BY_TYPE = new TreeMap<>(Map.ofEntries(
            Map.entry("llama", HfDecoders::llama),
            Map.entry("mistral", HfDecoders::mistral),
            Map.entry("qwen2", HfDecoders::qwen2),
            Map.entry("qwen3", HfDecoders::qwen3),
            Map.entry("gemma", HfDecoders::gemma),
            Map.entry("gemma2", HfDecoders::gemma2),
            Map.entry("olmo2", HfDecoders::olmo2),
            Map.entry("phi3", HfDecoders::phi3),
            Map.entry("gpt2", HfClassic::gpt2),
            Map.entry("gpt_bigcode", HfClassic::gptBigCode),
            Map.entry("gptj", HfClassic::gptj),
            Map.entry("gpt_neox", HfClassic::gptNeox),
            Map.entry("falcon", HfClassic::falcon),
            Map.entry("bloom", HfClassic::bloom),
            Map.entry("opt", HfClassic::opt),
            Map.entry("phi", HfClassic::phi),
            Map.entry("bert", HfClassic::bert),
            Map.entry("roberta", HfClassic::roberta),
            Map.entry("mixtral", HfMixtures::mixtral),
            Map.entry("qwen2_moe", HfMixtures::qwen2Moe),
            Map.entry("deepseek_v2", HfMixtures::deepseek),
            Map.entry("deepseek_v3", HfMixtures::deepseek),
            Map.entry("t5", HfT5::t5)));
    /**
     * The types whose {@code transformers} config classes default to dropout (probability 0.1); every other one
     * defaults to none, so a config written before its class had a dropout field (Llama 2, Mistral, Pythia) trains
     * without.
     */
    private static final Set<String> DROPOUT_BY_DEFAULT = Set.of("gpt2", "gpt_bigcode", "opt", "bert", "roberta", "t5");

    private HfArchitectures() {
    }

    static Optional<Function<HfConfig, ModelShape>> of(String modelType) {
        return Optional.ofNullable(BY_TYPE.get(modelType));
    }

    /** Whether a config of {@code modelType} that gives no dropout probability trains with dropout. */
    static boolean dropoutByDefault(String modelType) {
        return DROPOUT_BY_DEFAULT.contains(modelType);
    }

    /** The supported model types, sorted. */
    static Set<String> supported() {
        return BY_TYPE.keySet();
    }
}
