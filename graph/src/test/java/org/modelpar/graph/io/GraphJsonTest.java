package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TestData;
import org.modelpar.graph.zoo.ModelZoo;

class GraphJsonTest {
    @TempDir
    Path dir;

    static Path golden(String name) {
        return Path.of(System.getProperty("modelpar.root", "."), "graph/src/test/resources/golden", name);
    }

    static String resource(String name) throws IOException {
        try (var in = GraphJsonTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Compares with a golden file; {@code -Dgolden.update=true} rewrites it instead. */
    static void assertGolden(String name, String actual) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden(name), actual);
        }
        assertThat(actual).isEqualTo(resource(name));
    }

    @Test
    void handWrittenGraphRoundTripsByteForByte() throws IOException {
        String text = resource("tiny.json");
        ComputationGraph g = GraphJson.parse(text, "tiny.json");
        assertThat(g.measuredBatchSize()).isEqualTo(8);
        OpNode fc1 = g.op("fc1").orElseThrow();
        assertThat(fc1.measured().get("v100-sxm2-32gb").backwardSeconds()).isEqualTo(0.002);
        assertThat(fc1.longAttribute("out")).contains(64L);
        assertThat(g.op("act").orElseThrow().name()).isEqualTo("GeLU (tanh approximation)");
        assertThat(g.outgoing("act")).hasSize(2);
        assertGolden("tiny.json", GraphJson.toJson(g));
    }

    @Test
    void measuredFixedPartsRoundTripAndAreLeftOutWhenUnknown() {
        OpNode timed = new OpNode("a", "a", "linear", "l", 1, 2, 0, 4, 0,
                Map.of("cpu", new MeasuredTime(1e-3, 2e-3, 2e-4, 1.5e-3), "v100", new MeasuredTime(1e-4, 2e-4)), Map.of());
        ComputationGraph g = ComputationGraph.of("timed", 8, List.of(timed), List.of());
        String json = GraphJson.toJson(g);
        assertThat(json).contains("\"forwardFixedSeconds\" : 2.0E-4", "\"backwardFixedSeconds\" : 0.0015");
        assertThat(json.indexOf("FixedSeconds")).isLessThan(json.indexOf("\"v100\""));
        assertThat(json.lastIndexOf("FixedSeconds")).isLessThan(json.indexOf("\"v100\""));
        OpNode back = GraphJson.parse(json, "timed.json").op("a").orElseThrow();
        assertThat(back.measuredOn("cpu")).contains(new MeasuredTime(1e-3, 2e-3, 2e-4, 1.5e-3));
        assertThat(back.measuredOn("v100")).contains(new MeasuredTime(1e-4, 2e-4));
    }

    @Test
    void dropoutIsWrittenOnlyWhenOffAndReadBack() {
        ComputationGraph with = ModelZoo.build("gpt-tiny");
        ComputationGraph without = with.withDropout(false);
        assertThat(GraphJson.toJson(with)).doesNotContain("dropout");
        assertThat(GraphJson.toJson(without)).contains("\"dropout\" : false");
        assertThat(GraphJson.parse(GraphJson.toJson(without), "g.json").dropout()).isFalse();
        assertThat(GraphJson.parse(GraphJson.toJson(with), "g.json").dropout()).isTrue();
        assertThat(GraphJson.contentHash(without)).isNotEqualTo(GraphJson.contentHash(with));
        assertThat(ModelZoo.build("llama3-8b").dropout()).isFalse();
        assertThat(ModelZoo.build("llama3-8b", java.util.OptionalInt.of(1024)).dropout()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-tiny", "mlp-small"})
    void zooGraphsMatchTheirGoldenFilesAndRoundTrip(String model) throws IOException {
        ComputationGraph g = ModelZoo.build(model);
        String json = GraphJson.toJson(g);
        assertGolden(model + ".json", json);
        Path file = dir.resolve(model + ".json");
        GraphJson.write(g, file);
        ComputationGraph back = GraphJson.read(file);
        assertThat(back.ops()).isEqualTo(g.ops());
        assertThat(back.tensors()).isEqualTo(g.tensors());
        assertThat(GraphJson.contentHash(back)).isEqualTo(GraphJson.contentHash(g));
    }

    @Test
    void pipedreamImportRoundTripsThroughNativeJson() throws IOException {
        ComputationGraph g = GraphReader.read(TestData.pipedream("gnmt.graph.txt"), GraphFormat.PIPEDREAM,
                ImportOptions.defaults().withBatchSize(64));
        Path file = dir.resolve("gnmt.json");
        GraphJson.write(g, file);
        ComputationGraph back = GraphReader.read(file, GraphFormat.JSON);
        assertThat(back.ops()).isEqualTo(g.ops());
        assertThat(back.tensors()).isEqualTo(g.tensors());
        assertThat(back.measuredBatchSize()).isEqualTo(64);
        assertThat(Files.readString(file)).isEqualTo(GraphJson.toJson(back));
    }

    @Test
    void contentHashIsStableAndSensitive() {
        ComputationGraph a = ModelZoo.build("gpt-tiny");
        assertThat(GraphJson.contentHash(a)).startsWith("sha256:").hasSize(7 + 64)
                .isEqualTo(GraphJson.contentHash(ModelZoo.build("gpt-tiny")))
                .isNotEqualTo(GraphJson.contentHash(ModelZoo.build("gpt:layers=4,hidden=64,heads=4,seq=32,vocab=65")));
    }
}
