package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.graph.GraphException;

/** The catalogue of bad inputs, each with its exact one-line error. */
class BadInputTest {
    static final String OP = "{\"id\": \"a\", \"kind\": \"linear\", \"forwardFlops\": 1, \"backwardFlops\": 2, "
            + "\"parameterBytes\": 4, \"activationBytes\": 4}";
    static final String OP_B = OP.replace("\"a\"", "\"b\"");

    @TempDir
    Path dir;

    static String graph(String ops, String tensors) {
        return "{\"format\": \"modelpar-graph/1\", \"name\": \"g\", \"ops\": [" + ops + "], \"tensors\": [" + tensors + "]}";
    }

    static Stream<Arguments> badJson() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"format\": \"modelpar-graph/1\",\n \"name\": }",
                        "bad.json: line 2, column 10: malformed JSON: Unexpected character ('}' (code 125)): expected a valid value (JSON String, Number (or 'NaN'/'+INF'/'-INF'), Array, Object or token 'null', 'true' or 'false')"),
                Arguments.of("truncated JSON", "{\"format\": \"modelpar-graph/1\", \"ops\": [",
                        "bad.json: line 1, column 40: malformed JSON: Unexpected end-of-input: expected close marker for Array (start marker at line 1, column 39)"),
                Arguments.of("unknown format", "{\"format\": \"modelpar-graph/9\"}",
                        "bad.json: format: expected \"modelpar-graph/1\", got \"modelpar-graph/9\""),
                Arguments.of("empty graph", graph("", ""), "bad.json: graph 'g' has no ops"),
                Arguments.of("negative bytes", graph(OP.replace("\"parameterBytes\": 4", "\"parameterBytes\": -4"), ""),
                        "bad.json: ops[0].parameterBytes: must be non-negative, got -4"),
                Arguments.of("NaN FLOPs", graph(OP.replace("\"forwardFlops\": 1", "\"forwardFlops\": NaN"), ""),
                        "bad.json: ops[0].forwardFlops: must be a finite number, got NaN"),
                Arguments.of("FLOPs as text", graph(OP.replace("\"forwardFlops\": 1", "\"forwardFlops\": \"1e9\""), ""),
                        "bad.json: ops[0].forwardFlops: expected a number, got \"1e9\""),
                Arguments.of("overflow", graph(OP.replace("\"activationBytes\": 4", "\"activationBytes\": 9223372036854775807"), ""),
                        "bad.json: ops[0].activationBytes: must be below 2^62, got 9223372036854775807"),
                Arguments.of("beyond the simulator's sums", graph(OP.replace("\"parameterBytes\": 4", "\"parameterBytes\": 4611686018427387903"), ""),
                        "bad.json: op 'a': parameterBytes must be at most 1125899906842624 bytes (1 PiB), got 4611686018427387903"),
                Arguments.of("beyond the solver's scores", graph(OP.replace("\"forwardFlops\": 1", "\"forwardFlops\": 1e300"), ""),
                        "bad.json: op 'a': forwardFlops must be at most 1.0E18 FLOPs per sample, got 1.0E300"),
                Arguments.of("unknown tensor endpoint", graph(OP, "{\"id\": \"t0\", \"from\": \"a\", \"to\": \"zz\", \"bytes\": 4}"),
                        "bad.json: tensors[0].to: unknown op \"zz\""),
                Arguments.of("cycle", graph(OP + "," + OP_B, "{\"id\": \"t0\", \"from\": \"a\", \"to\": \"b\", \"bytes\": 4},"
                                + "{\"id\": \"t1\", \"from\": \"b\", \"to\": \"a\", \"bytes\": 4}"),
                        "bad.json: graph has a cycle through ops a -> b -> a"),
                Arguments.of("duplicate op", graph(OP + "," + OP, ""), "bad.json: duplicate op id 'a'"),
                Arguments.of("typo in a field", graph(OP.replace("forwardFlops", "forwardFlop"), ""),
                        "bad.json: ops[0].forwardFlop: unknown field; allowed fields: activationBytes, attributes, backwardFlops, forwardFlops, id, kind, layer, measured, name, parameterBytes, workspaceBytes"),
                Arguments.of("missing field", graph(OP.replace("\"kind\": \"linear\", ", ""), ""),
                        "bad.json: ops[0].kind: required field is missing"),
                Arguments.of("negative measured time", graph(OP.replace("}", ", \"measured\": {\"v100\": {\"forwardSeconds\": -1, \"backwardSeconds\": 0}}}"), ""),
                        "bad.json: ops[0].measured.v100.forwardSeconds: must be non-negative, got -1"),
                Arguments.of("fixed part above its time", graph(OP.replace("}", ", \"measured\": {\"cpu\": {\"forwardSeconds\": 1,"
                                + " \"backwardSeconds\": 2, \"forwardFixedSeconds\": 0.5, \"backwardFixedSeconds\": 3}}}"), ""),
                        "bad.json: ops[0].measured.cpu.backwardFixedSeconds: must not exceed its time 2.0, got 3.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void badNativeJson(String what, String content, String message) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, content);
        assertThatThrownBy(() -> GraphReader.read(file, GraphFormat.JSON)).isInstanceOf(GraphException.class).hasMessage(message);
    }

    static final String NODE = "node1 -- Conv2d(3, 64, kernel_size=(3, 3)) -- forward_compute_time=1.5, backward_compute_time=2.5, activation_size=64.0, parameter_size=8.0";

    static Stream<Arguments> badPipeDream() {
        return Stream.of(
                Arguments.of("truncated line", NODE + "\n" + NODE.replace("node1", "node2").substring(0, 90),
                        "bad.graph.txt:2: truncated or malformed metric 'backward_compute_t' (expected key=value)"),
                Arguments.of("no separators", "node1 Conv2d", "bad.graph.txt:1: expected 'nodeId -- description -- metrics', got 'node1 Conv2d'"),
                Arguments.of("not a number", NODE.replace("backward_compute_time=2.5", "backward_compute_time=abc"),
                        "bad.graph.txt:1: backward_compute_time 'abc' is not a number"),
                Arguments.of("negative bytes", NODE.replace("activation_size=64.0", "activation_size=-64.0"),
                        "bad.graph.txt:1: activation_size -64.0 must be non-negative"),
                Arguments.of("overflow", NODE.replace("parameter_size=8.0", "parameter_size=9.3e18"),
                        "bad.graph.txt:1: parameter_size 9.3e18 is too large (limit 2^62)"),
                Arguments.of("missing metric", NODE.replace(", parameter_size=8.0", ""), "bad.graph.txt:1: missing parameter_size"),
                Arguments.of("unknown endpoint", NODE + "\n\tnode1 -- node9", "bad.graph.txt:2: edge refers to unknown node 'node9'"),
                Arguments.of("cycle", NODE + "\n" + NODE.replace("node1", "node2") + "\n\tnode1 -- node2\n\tnode2 -- node1",
                        "bad.graph.txt: graph has a cycle through ops node1 -> node2 -> node1"),
                Arguments.of("duplicate node", NODE + "\n" + NODE, "bad.graph.txt:2: duplicate node 'node1'"),
                Arguments.of("empty graph", "\n\n", "bad.graph.txt: no nodes (expected lines 'nodeId -- description -- forward_compute_time=...')"),
                Arguments.of("unterminated list", NODE.replace("activation_size=64.0", "activation_size=[1.0; 2.0"),
                        "bad.graph.txt:1: activation_size '[1.0; 2.0' is an unterminated list"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPipeDream")
    void badPipeDreamFile(String what, String content, String message) throws IOException {
        Path file = dir.resolve("bad.graph.txt");
        Files.writeString(file, content);
        assertThatThrownBy(() -> GraphReader.read(file, GraphFormat.PIPEDREAM)).isInstanceOf(GraphException.class).hasMessage(message);
    }

    static final String SUPPORTED = "bert, bloom, deepseek_v2, deepseek_v3, falcon, gemma, gemma2, gpt2, gpt_bigcode, gpt_neox, gptj, "
            + "llama, mistral, mixtral, olmo2, opt, phi, phi3, qwen2, qwen2_moe, qwen3, roberta, t5";
    static final String LLAMA = "{\"model_type\": \"llama\", \"hidden_size\": 8, \"num_hidden_layers\": 2, \"num_attention_heads\": 2, "
            + "\"intermediate_size\": 16, \"vocab_size\": 10, \"max_position_embeddings\": 8";

    static Stream<Arguments> badHfConfig() {
        return Stream.of(
                Arguments.of("missing hidden size", "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_head\": 2, \"vocab_size\": 10, \"n_positions\": 8}",
                        "config.json: missing n_embd or hidden_size (needed for model_type gpt2)"),
                Arguments.of("text layers", "{\"model_type\": \"gpt2\", \"n_embd\": 8, \"n_layer\": \"two\", \"n_head\": 2, \"vocab_size\": 10, \"n_positions\": 8}",
                        "config.json: n_layer: expected a positive whole number below 2^31, got \"two\""),
                Arguments.of("heads do not divide", "{\"model_type\": \"gpt2\", \"n_embd\": 8, \"n_layer\": 2, \"n_head\": 3, \"vocab_size\": 10, \"n_positions\": 8}",
                        "config.json: hidden size 8 is not divisible by 3 attention heads (give head_dim)"),
                Arguments.of("unsupported architecture", "{\"model_type\": \"mamba\", \"hidden_size\": 768}",
                        "config.json: model_type: 'mamba' is not a supported architecture (supported: " + SUPPORTED + ")"),
                Arguments.of("no architecture", "{\"n_embd\": 8}", "config.json: model_type: missing (supported: " + SUPPORTED + ")"),
                Arguments.of("experts on a dense architecture", LLAMA + ", \"num_local_experts\": 8}",
                        "config.json: num_local_experts: 8 changes the model's shape and is not understood for model_type llama"),
                Arguments.of("unsupported variant", "{\"model_type\": \"opt\", \"hidden_size\": 8, \"num_hidden_layers\": 2, "
                                + "\"num_attention_heads\": 2, \"ffn_dim\": 16, \"vocab_size\": 10, \"max_position_embeddings\": 8, "
                                + "\"do_layer_norm_before\": false}",
                        "config.json: do_layer_norm_before: false is not supported for model_type opt"),
                Arguments.of("GQA heads do not divide", LLAMA.replace("\"num_attention_heads\": 2", "\"num_attention_heads\": 3, \"head_dim\": 4")
                                + ", \"num_key_value_heads\": 2}", "config.json: heads 3 must be divisible by kvHeads 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHfConfig")
    void badHfConfigFile(String what, String content, String message) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, content);
        assertThatThrownBy(() -> GraphReader.read(file, GraphFormat.HF_CONFIG)).isInstanceOf(GraphException.class)
                .hasMessage(dir.getFileName() + "/" + message);
    }

    @Test
    void sizeLimitsNameTheLimit() throws IOException {
        Path file = dir.resolve("big.graph.txt");
        Files.writeString(file, NODE + "\n" + NODE.replace("node1", "node2") + "\n\tnode1 -- node2\n");
        ImportOptions d = ImportOptions.defaults();
        assertThatThrownBy(() -> GraphReader.read(file, GraphFormat.PIPEDREAM, d.withLimits(1, 10, 10_000)))
                .hasMessage("big.graph.txt:2: more than 1 nodes (the op limit)");
        assertThatThrownBy(() -> GraphReader.read(file, GraphFormat.PIPEDREAM, d.withLimits(10, 0, 10_000)))
                .hasMessage("big.graph.txt:3: more than 0 edges (the tensor limit)");
        assertThatThrownBy(() -> GraphReader.read(file, GraphFormat.PIPEDREAM, d.withLimits(10, 10, 100)))
                .hasMessage("big.graph.txt: file is 296 bytes, more than the limit of 100 bytes");
        assertThatThrownBy(() -> GraphReader.read(dir.resolve("nope.json"), GraphFormat.JSON))
                .hasMessage(dir.resolve("nope.json") + ": no such file");
        Path gpt2 = dir.resolve("config.json");
        Files.writeString(gpt2, "{\"model_type\": \"gpt2\", \"n_embd\": 8, \"n_layer\": 2, \"n_head\": 2, \"vocab_size\": 10, \"n_positions\": 8}");
        assertThatThrownBy(() -> GraphReader.read(gpt2, GraphFormat.HF_CONFIG, d.withSequenceLength(9)))
                .hasMessage(dir.getFileName() + "/config.json: sequence length 9 exceeds the 8 learned positions (n_positions); give --seq-len of at most 8");
        assertThatThrownBy(() -> d.withSequenceLength(0)).hasMessage("sequence length must be between 1 and 1000000, got 0");
        assertThatThrownBy(() -> GraphFormat.parse("tflite"))
                .hasMessage("unknown graph format 'tflite' (expected one of json, pipedream, hf-config, onnx)");
    }
}
