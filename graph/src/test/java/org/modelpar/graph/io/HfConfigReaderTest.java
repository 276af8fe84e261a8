package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.Published;
import org.modelpar.graph.zoo.ModelZoo;

/**
 * Real configs (test resources, sources in {@code hf/SOURCES.md}) give the exact parameter count of the
 * Hugging Face model, {@code sum(p.numel() for p in model.parameters())}, which counts a tied embedding once.
 */
class HfConfigReaderTest {
    static ComputationGraph read(String dir, ImportOptions options) throws Exception {
        Path file = Path.of(HfConfigReaderTest.class.getResource("/hf/" + dir + "/config.json").toURI());
        return GraphReader.read(file, GraphFormat.guess(file), options);
    }

    /**
     * Columns: folder, exact count, the figure published on the model card or the Hub's safetensors summary.
     * Where only a rounded figure is published, the exact count is derived from the config and the
     * {@code transformers} implementation and agrees with it to the digits shown.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // GPT2LMHeadModel, Radford et al. 2019 "124M"; Hub: 124,439,808 (tied lm_head counted once)
        "gpt2, 124439808, 124M",
        // LLaMA 1 7B (Touvron et al. 2023, Table 2 "6.7B"): Hub safetensors 6.74B
        "llama-7b, 6738415616, 6.74B",
        // Llama 2 paper Table 1 "7B"; Hub safetensors 6.74B
        "llama-2-7b, 6738415616, 6.74B",
        // Llama 3.1 model card "8B"; Hub safetensors 8.03B
        "llama-3.1-8b, 8030261248, 8.03B",
        // Llama 3.2 model card: "1.23B" (tied embeddings)
        "llama-3.2-1b, 1235814400, 1.23B",
        // Mistral 7B paper / Hub safetensors 7.24B
        "mistral-7b, 7241732096, 7.24B",
        // Mixtral paper (Jiang et al. 2024): "46.7B total parameters", 12.9B active
        "mixtral-8x7b, 46702792704, 46.7B",
        // Qwen2.5 model card: "Number of Parameters: 7.61B"
        "qwen2.5-7b, 7615616512, 7.61B",
        // Qwen2.5 model card: "Number of Parameters: 0.49B" (tied embeddings)
        "qwen2.5-0.5b, 494032768, 0.49B",
        // Qwen1.5-MoE-A2.7B card: "14.3B parameters in total and 2.7B activated"
        "qwen1.5-moe-a2.7b, 14315784192, 14.3B",
        // Qwen3-8B card: "Number of Parameters: 8.2B"
        "qwen3-8b, 8190735360, 8.2B",
        // Gemma technical report Table 2: 7B model, 8.54B parameters (tied, vocab 256k)
        "gemma-7b, 8537680896, 8.54B",
        // Gemma 2 report: 9B; Hub safetensors 9.24B
        "gemma-2-9b, 9241705984, 9.24B",
        // OLMo 2 7B: Hub safetensors 7.3B
        "olmo-2-7b, 7298617344, 7.3B",
        // Phi-2 card: "2.7 billion parameters"; Hub safetensors 2.78B
        "phi-2, 2779683840, 2.78B",
        // Phi-3 technical report: "phi-3-mini, a 3.8 billion parameter language model"; Hub 3.82B
        "phi-3-mini-4k, 3821079552, 3.82B",
        // GPT-J-6B card: 6B; Hub safetensors 6.05B
        "gpt-j-6b, 6050882784, 6.05B",
        // Pythia paper Table 1: 160M model, "162,322,944" total parameters
        "pythia-160m, 162322944, 162M",
        // SantaCoder paper: 1.1B parameters
        "santacoder, 1124886528, 1.1B",
        // Falcon-7B card: "7B parameters"; Hub safetensors 6.92B
        "falcon-7b, 6921720704, 6.92B",
        // Falcon-40B card gives only the name's "40B"; the count is derived from the config (tied output)
        "falcon-40b, 41303293952, -",
        // BLOOM paper Table 1: 559M for bloom-560m
        "bloom-560m, 559214592, 559M",
        // OPT paper Table 1: 125M
        "opt-125m, 125239296, 125M",
        // BertForMaskedLM (no pooler): BERT paper "340M" counts the pooler and NSP head; Hub 335M
        "bert-large-uncased, 335174458, 335M",
        // RobertaForMaskedLM: RoBERTa-base "125M"
        "roberta-base, 124697433, 125M",
        // DeepSeek-V2-Lite card: "15.7B total parameters, 2.4B activated"
        "deepseek-v2-lite, 15706484224, 15.7B",
        // DeepSeek-V3 card: "671B total parameters, 37B activated" (the 14B multi-token-prediction module is not
        // part of the transformers model). transformers keeps the router's e_score_correction_bias as a buffer;
        // DeepSeek's own modeling_deepseek.py makes it a parameter, adding 256 x 58 = 14,848.
        "deepseek-v3, 671026404352, 671B",
        // T5 paper (Raffel et al. 2020) Table 14 / Hub: t5-small 60M (60,506,624), t5-11b 11B (11,307,321,344)
        "t5-small, 60506624, 60.5M",
        "t5-11b, 11307321344, 11.3B",
        // Flan-T5 base: 248M (gated-GELU, untied output)
        "flan-t5-base, 247577856, 248M"})
    void configsGiveTheModelsExactParameterCount(String dir, long parameters, String published) throws Exception {
        ComputationGraph g = read(dir, ImportOptions.defaults());
        assertThat(g.parameterBytes() / 4).isEqualTo(parameters);
        if (!published.equals("-")) {
            assertThat(Published.matches(parameters, published)).as("%d is published as %s", parameters, published).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "gpt2, gpt2, gpt2-small",
        "llama-2-7b, meta-llama/Llama-2-7b-hf, llama2-7b",
        "bert-large-uncased, bert-large-uncased, bert-large"})
    void configsGiveTheSameGraphAsTheMatchingPreset(String dir, String name, String preset) throws Exception {
        ComputationGraph g = read(dir, ImportOptions.defaults());
        assertThat(g.name()).isEqualTo(name);
        ComputationGraph zoo = ModelZoo.build(preset);
        assertThat(g.ops()).isEqualTo(zoo.ops());
        assertThat(g.tensors()).isEqualTo(zoo.tensors());
    }

    /**
     * Dropout from the config's probabilities: any above 0 (GPT-2's 0.1, Phi-2's residual 0.1, OPT's 0.1 beside 0.0
     * attention), none when all given are 0 (Llama 3's attention_dropout 0.0, GPT-J's three 0.0), and the class's default
     * where the config predates the field (Llama 2 and Mistral: none; T5 gives dropout_rate 0.1).
     */
    @ParameterizedTest
    @CsvSource({"gpt2, true", "phi-2, true", "opt-125m, true", "t5-small, true", "bert-large-uncased, true",
        "llama-3.1-8b, false", "gpt-j-6b, false", "qwen2.5-7b, false", "falcon-7b, false", "llama-2-7b, false",
        "mistral-7b, false", "pythia-160m, false"})
    void dropoutComesFromTheConfigsProbabilities(String dir, boolean dropout) throws Exception {
        assertThat(read(dir, ImportOptions.defaults()).dropout()).isEqualTo(dropout);
    }

    @Test
    void sequenceLengthIsTheLimitCappedAt4096UnlessGiven() throws Exception {
        OpNode embed = read("llama-3.1-8b", ImportOptions.defaults()).op("embed").orElseThrow();
        assertThat(embed.longAttribute("seq")).contains(4096L);
        assertThat(read("llama-3.1-8b", ImportOptions.defaults().withSequenceLength(8192)).op("embed").orElseThrow()
                .longAttribute("seq")).contains(8192L);
        assertThat(read("gpt2", ImportOptions.defaults()).op("embed").orElseThrow().longAttribute("seq")).contains(1024L);
        assertThat(read("roberta-base", ImportOptions.defaults()).op("embed").orElseThrow().longAttribute("seq")).contains(512L);
        // the parameters do not depend on the sequence length
        assertThat(read("gpt2", ImportOptions.defaults().withSequenceLength(128)).parameterBytes() / 4).isEqualTo(124_439_808L);
    }
}
