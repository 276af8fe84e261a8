package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.graph.io.GraphJson;

class GraphCommandTest {
    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static Path sharedData() {
        return Path.of(System.getProperty("modelpar.root", "..")).resolve("../shared/data").normalize();
    }

    @Test
    void gpt3SummaryShows174Point6BillionParameters() {
        Run r = run("graph", "--model", "gpt3-175b");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("parameters   174.6 B (174,615,846,912)").contains("model        gpt3-175b");
    }

    @Test
    void pipedreamJsonEqualsARecountOfTheFile() throws IOException {
        Path file = sharedData().resolve("pipedream/vgg16.graph.txt");
        Run r = run("graph", "--graph", file.toString(), "--format", "pipedream", "--json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        long nodes = 0;
        long edges = 0;
        long params = 0;
        double ms = 0;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("\t")) {
                edges++;
            } else if (!line.isBlank()) {
                nodes++;
                String[] parts = line.split(" -- ");
                for (String kv : parts[2].split(", ")) {
                    String[] p = kv.split("=");
                    if (p[0].equals("parameter_size")) {
                        params += (long) Double.parseDouble(p[1]);
                    } else if (p[0].endsWith("_compute_time") && !parts[1].startsWith("Input")) {
                        ms += Double.parseDouble(p[1]);
                    }
                }
            }
        }
        assertThat(j.get("name").asText()).isEqualTo("vgg16");
        assertThat(j.get("opCount").asLong()).isEqualTo(nodes);
        assertThat(j.get("tensorCount").asLong()).isEqualTo(edges);
        assertThat(j.get("parameterBytes").asLong()).isEqualTo(params);
        assertThat(j.get("parameterCount").asLong()).isEqualTo(params / 4);
        assertThat(j.get("forwardFlopsPerSample").asDouble()).isZero();
        assertThat(j.get("measuredSeconds").get("v100-sxm2-32gb").asDouble() * 1000).isCloseTo(ms,
                org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void writesNativeJsonAndDotAndCoarsens() throws IOException {
        Path out = dir.resolve("tiny.json");
        Path dot = dir.resolve("tiny.dot");
        Run r = run("graph", "--model", "gpt-tiny", "--out", out.toString(), "--dot", dot.toString(), "--json");
        assertThat(r.code()).isZero();
        assertThat(GraphJson.read(out).opCount()).isEqualTo(new ObjectMapper().readTree(r.out()).get("opCount").asInt());
        assertThat(Files.readString(dot)).startsWith("digraph \"gpt-tiny\" {").contains("\"block0.qkv\" -> \"block0.scores\"");
        Run again = run("graph", "--graph", out.toString(), "--coarsen", "3", "--json");
        assertThat(again.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(again.out());
        assertThat(j.get("opCount").asInt()).isEqualTo(3);
        assertThat(j.get("parameterCount").asLong()).isEqualTo(12L * 4 * 64 * 64 + 13 * 4 * 64 + (64 + 32) * 64 + 2 * 64);
    }

    @Test
    void modelsListsEveryPreset() throws IOException {
        Run r = run("models");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("gpt3-175b").contains("174.6 B").contains("llama2-70b").contains("inception-v3").contains("moe-tiny");
        JsonNode j = new ObjectMapper().readTree(run("models", "--json").out());
        assertThat(j.get("models").size()).isEqualTo(33);
        assertThat(j.get("models").get(0).get("name").asText()).isEqualTo("mlp-small");
    }

    static Stream<Arguments> badInputs() throws IOException {
        Path malformed = Files.writeString(dir.resolve("malformed.json"), "{\"format\": \"modelpar-graph/1\",\n \"name\": }");
        Path truncated = Files.writeString(dir.resolve("trunc.graph.txt"),
                "node1 -- ReLU -- forward_compute_time=1.0, backward_compute_ti");
        Path junk = Files.write(dir.resolve("junk.onnx"), new byte[0]);
        Path nan = Files.writeString(dir.resolve("nan.json"), "{\"format\": \"modelpar-graph/1\", \"name\": \"g\", \"ops\": "
                + "[{\"id\": \"a\", \"kind\": \"k\", \"forwardFlops\": NaN, \"backwardFlops\": 0, \"parameterBytes\": 0, \"activationBytes\": 0}]}");
        Path empty = Files.writeString(dir.resolve("empty.json"), "{\"format\": \"modelpar-graph/1\", \"name\": \"g\", \"ops\": []}");
        return Stream.of(
                Arguments.of(new String[] {"graph", "--graph", malformed.toString()},
                        "modelpar: malformed.json: line 2, column 10: malformed JSON: Unexpected character ('}' (code 125)): "
                                + "expected a valid value (JSON String, Number (or 'NaN'/'+INF'/'-INF'), Array, Object or token "
                                + "'null', 'true' or 'false')"),
                Arguments.of(new String[] {"graph", "--graph", truncated.toString(), "--format", "pipedream"},
                        "modelpar: trunc.graph.txt:1: truncated or malformed metric 'backward_compute_ti' (expected key=value)"),
                Arguments.of(new String[] {"graph", "--graph", nan.toString()},
                        "modelpar: nan.json: ops[0].forwardFlops: must be a finite number, got NaN"),
                Arguments.of(new String[] {"graph", "--graph", empty.toString()}, "modelpar: empty.json: graph 'g' has no ops"),
                Arguments.of(new String[] {"graph", "--graph", malformed.toString(), "--format", "tflite"},
                        "modelpar: unknown graph format 'tflite' (expected one of json, pipedream, hf-config, onnx)"),
                Arguments.of(new String[] {"graph", "--model", "gpt-tiyn"},
                        "modelpar: unknown model 'gpt-tiyn'; did you mean gpt-tiny, gpt-mini, gpt2-xl? (see 'modelpar models'; "
                                + "or gpt:layers=L,hidden=H,heads=A,seq=S,vocab=V or mlp:layers=L,width=W)"),
                Arguments.of(new String[] {"graph"}, "modelpar: give --model NAME or --graph FILE"),
                Arguments.of(new String[] {"graph", "--graph", junk.toString()},
                        "modelpar: junk.onnx: graph: missing or without nodes (not an ONNX model?)"),
                Arguments.of(new String[] {"graph", "--model", "gpt-tiny", "--coarsen", "0"}, "modelpar: --coarsen must be at least 1, got 0"),
                Arguments.of(new String[] {"graph", "--graph", dir.resolve("missing.json").toString()},
                        "modelpar: " + dir.resolve("missing.json") + ": no such file"),
                Arguments.of(new String[] {"graph", "--model", "gpt-tiny", "--batch-size", "x"},
                        "modelpar: Invalid value for option '--batch-size': 'x' is not an int"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badInputExitsTwoWithOneLine(String[] args, String message) {
        Run r = run(args);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(message + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }
}
