package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * Fuzzes the graph readers behind {@link GraphReader}: native {@code modelpar-graph/1} JSON, PipeDream
 * {@code graph.txt}, Hugging Face {@code config.json} and ONNX. Any input either gives a graph or a one-line
 * {@link GraphException}; nothing else may escape. Small limits keep hostile sizes cheap. Seeds and crash
 * reproducers: {@code src/test/resources/org/modelpar/graph/io/GraphReadersFuzzTestInputs/<method>/}.
 */
class GraphReadersFuzzTest {
    private static final ImportOptions OPTIONS = ImportOptions.defaults().withLimits(2_000, 8_000, 1 << 20);

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"format\"", "\"modelpar-graph/1\"", "\"ops\"", "\"tensors\"", "\"id\"", "\"from\"", "\"to\"",
            "\"bytes\"", "\"forwardFlops\"", "\"backwardFlops\"", "\"parameterBytes\"", "\"activationBytes\"",
            "\"measured\"", "\"forwardSeconds\"", "\"measuredBatchSize\"", "1e308", "-1", "NaN"})
    void nativeJson(byte[] input) {
        check(() -> new GraphJsonReader("fuzz.json", OPTIONS).read(text(input)));
    }

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({" -- ", "\t", "forward_compute_time=", "backward_compute_time=", "activation_size=",
            "parameter_size=", "Input0", "[1.0; 2.0]", "node1", "node2"})
    void pipeDream(byte[] input) {
        check(() -> new PipeDreamReader("fuzz.graph.txt", OPTIONS).read(text(input)));
    }

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"model_type\"", "\"llama\"", "\"bert\"", "\"n_embd\"", "\"n_layer\"", "\"n_head\"",
            "\"vocab_size\"", "\"n_positions\"", "\"hidden_size\"", "\"num_hidden_layers\"", "\"num_attention_heads\"",
            "\"max_position_embeddings\"", "\"intermediate_size\"", "\"num_key_value_heads\"", "1000000"})
    void hfConfig(byte[] input) {
        check(() -> new HfConfigReader("config.json", OPTIONS).read(text(input), "fuzz"));
    }

    @FuzzTest(maxDuration = "10m")
    void onnx(byte[] input) {
        check(() -> new OnnxReader("fuzz.onnx", OPTIONS, java.nio.file.Path.of(".")).read(input, "fuzz"));
    }

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }

    private static void check(java.util.function.Supplier<ComputationGraph> read) {
        try {
            ComputationGraph g = read.get();
            assertThat(g.ops()).isNotEmpty();
        } catch (GraphException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }
}
