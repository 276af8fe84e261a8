package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.cli.GraphCommandTest.Run;

/** Hugging Face configs of today's models on the command line: summaries, sequence lengths, plans. */
class HfModelsCommandTest {
    static String config(String model) {
        return Path.of(System.getProperty("modelpar.root", "..")).resolve("graph/src/test/resources/hf/" + model + "/config.json")
                .normalize().toString();
    }

    @Test
    void mixtralSummaryShowsAllParametersAndTheActiveOnes() {
        Run r = GraphCommandTest.run("graph", "--graph", config("mixtral-8x7b"), "--format", "hf-config");
        assertThat(r.code()).isZero();
        // Mixtral paper (Jiang et al. 2024): 46.7B parameters, 12.9B used per token
        assertThat(r.out()).contains("parameters   46.7 B (46,702,792,704)")
                .contains("active       12.9 B (12,879,925,248) parameters per token")
                .contains("sequence     4,096 tokens per sample")
                .containsPattern("forward +[0-9.]+ TFLOP per sample, [0-9.]+ GFLOP per token");
    }

    @Test
    void llama31PlansWithTheDefaultSequenceLengthAndSaysWhichOne() {
        Run r = GraphCommandTest.run("plan", "--graph", config("llama-3.1-8b"), "--format", "hf-config", "--cluster", "dgx-h100:8",
                "--global-batch", "512");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("plan for meta-llama/Llama-3.1-8B on dgx-h100:8")
                .contains("sequence length: 4,096 tokens per sample");
    }

    @Test
    void mixtralPlanPlacesEveryExpert() throws Exception {
        Run r = GraphCommandTest.run("plan", "--graph", config("mixtral-8x7b"), "--cluster", "dgx-h100:8", "--global-batch", "512",
                "--time-limit", "10s", "--json");
        assertThat(r.code()).isZero();
        JsonNode plan = new ObjectMapper().readTree(r.out());
        List<String> placed = new ArrayList<>();
        plan.get("stages").forEach(s -> s.get("ops").forEach(op -> placed.add(op.asText())));
        List<String> experts = new ArrayList<>();
        for (int layer = 0; layer < 32; layer++) {
            for (int e = 0; e < 8; e++) {
                experts.add("block" + layer + ".expert" + e);
            }
        }
        assertThat(placed).containsAll(experts).doesNotHaveDuplicates();
    }

    static Stream<Arguments> badSequenceLengths() {
        return Stream.of(
                Arguments.of(new String[] {"graph", "--graph", config("gpt2"), "--seq-len", "2048"},
                        "modelpar: gpt2/config.json: sequence length 2048 exceeds the 1024 learned positions (n_positions); give --seq-len of at most 1024"),
                Arguments.of(new String[] {"graph", "--model", "resnet50", "--seq-len", "128"},
                        "modelpar: model 'resnet50' has no sequence length (--seq-len applies to transformers)"),
                Arguments.of(new String[] {"graph", "--model", "llama3-8b", "--seq-len", "0"},
                        "modelpar: --seq-len must be between 1 and 1000000, got 0"));
    }

    @ParameterizedTest
    @MethodSource("badSequenceLengths")
    void badSequenceLengthExitsTwoWithOneLine(String[] args, String message) {
        Run r = GraphCommandTest.run(args);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(message + System.lineSeparator());
    }

    @Test
    void sequenceLengthChangesTheFlopsNotTheParameters() {
        Run r = GraphCommandTest.run("graph", "--model", "llama3-8b", "--seq-len", "8192");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("sequence     8,192 tokens per sample").contains("parameters   8.0 B (8,030,261,248)");
    }
}
