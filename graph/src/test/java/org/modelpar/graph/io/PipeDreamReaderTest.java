package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.TensorEdge;
import org.modelpar.graph.TestData;

class PipeDreamReaderTest {
    /** An independent recount of a graph.txt: node and edge lines, parameter bytes, fwd+bwd ms of non-input nodes. */
    record Recount(int nodes, int edges, long parameterBytes, double milliseconds, long activationBytes) {
        static Recount of(Path file) throws IOException {
            int nodes = 0;
            int edges = 0;
            long params = 0;
            double ms = 0;
            long act = 0;
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("\t")) {
                    edges++;
                } else if (!line.isBlank()) {
                    nodes++;
                    String[] parts = line.split(" -- ");
                    String metrics = parts[parts.length - 1];
                    boolean input = parts[1].startsWith("Input");
                    for (String kv : metrics.split(", ")) {
                        String[] p = kv.split("=");
                        switch (p[0]) {
                            case "forward_compute_time", "backward_compute_time" -> ms += input ? 0 : Double.parseDouble(p[1]);
                            case "parameter_size" -> params += (long) Double.parseDouble(p[1]);
                            case "activation_size" -> {
                                for (String a : p[1].replace("[", "").replace("]", "").split(";")) {
                                    act += (long) Double.parseDouble(a.trim());
                                }
                            }
                            default -> throw new IllegalStateException(p[0]);
                        }
                    }
                }
            }
            return new Recount(nodes, edges, params, ms, act);
        }
    }

    @ParameterizedTest
    @CsvSource({"vgg16.graph.txt, 41, 41", "gnmt.graph.txt, 48, 58"})
    void importsTheRealFilesWithTotalsEqualToARecount(String file, int ops, int edges) throws IOException {
        Path path = TestData.pipedream(file);
        Recount r = Recount.of(path);
        ComputationGraph g = GraphReader.read(path, GraphFormat.PIPEDREAM, ImportOptions.defaults());
        assertThat(r.nodes()).isEqualTo(ops);
        assertThat(r.edges()).isEqualTo(edges);
        assertThat(g.opCount()).isEqualTo(r.nodes());
        assertThat(g.tensorCount()).isEqualTo(r.edges());
        assertThat(g.parameterBytes()).isEqualTo(r.parameterBytes());
        assertThat(g.activationBytesPerSample()).isEqualTo(r.activationBytes());
        assertThat(g.measuredSeconds()).containsOnlyKeys("v100-sxm2-32gb");
        assertThat(g.measuredSeconds().get("v100-sxm2-32gb") * 1000).isCloseTo(r.milliseconds(), within(1e-9));
        assertThat(g.forwardFlopsPerSample()).isZero();
        assertThat(g.measuredBatchSize()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"vgg16.graph.txt, 128", "gnmt.graph.txt, 64"})
    void batchSizeGivesPerSampleBytesAndKeepsTimes(String file, int batch) throws IOException {
        Path path = TestData.pipedream(file);
        ComputationGraph one = GraphReader.read(path, GraphFormat.PIPEDREAM, ImportOptions.defaults());
        ComputationGraph g = GraphReader.read(path, GraphFormat.PIPEDREAM,
                ImportOptions.defaults().withBatchSize(batch).withMeasuredOn("a100-sxm4-80gb"));
        assertThat(g.measuredBatchSize()).isEqualTo(batch);
        assertThat(g.measuredSeconds().get("a100-sxm4-80gb")).isEqualTo(one.measuredSeconds().get("v100-sxm2-32gb"));
        assertThat(g.parameterBytes()).isEqualTo(one.parameterBytes());
        assertThat((double) g.activationBytesPerSample()).isCloseTo(one.activationBytesPerSample() / (double) batch,
                within((double) g.opCount()));
    }

    /** A file cut at a line boundary, in the edge lines or before them, leaves nodes no edge joins: refused. */
    @ParameterizedTest
    @CsvSource({"81, 'node1' (and 5 more) is joined to node 'node11' by no edge: 40 edges for 41 nodes",
        "41, 'node10' (and 39 more) is joined to node 'node11' by no edge: 0 edges for 41 nodes"})
    void aFileCutAtALineBoundaryIsRefused(int keptLines, String apart, @org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        List<String> lines = Files.readAllLines(TestData.pipedream("vgg16.graph.txt"));
        Path cut = Files.write(dir.resolve("vgg16.graph.txt"), lines.subList(0, keptLines));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GraphReader.read(cut, GraphFormat.PIPEDREAM))
                .isInstanceOf(org.modelpar.graph.GraphException.class)
                .hasMessageStartingWith("vgg16.graph.txt: node ").hasMessageContaining(apart)
                .hasMessageEndingWith("; the file looks truncated (a PipeDream profile is one connected graph)");
    }

    @org.junit.jupiter.api.Test
    void gnmtListsAreSummedAndInputsAreFreeSources() {
        ComputationGraph g = GraphReader.read(TestData.pipedream("gnmt.graph.txt"), GraphFormat.PIPEDREAM);
        assertThat(g.op("node1").orElseThrow().kind()).isEqualTo("input");
        assertThat(g.op("node1").orElseThrow().measured().get("v100-sxm2-32gb").totalSeconds()).isZero();
        assertThat(g.op("node5").orElseThrow().kind()).isEqualTo("emubidirlstm");
        assertThat(g.op("node5").orElseThrow().name()).contains("(bidir): LSTM(1024, 1024, bidirectional=True)");
        ComputationGraph vgg = GraphReader.read(TestData.pipedream("vgg16.graph.txt"), GraphFormat.PIPEDREAM);
        assertThat(vgg.op("node1").orElseThrow().measured()).isEqualTo(
                Map.of("v100-sxm2-32gb", new org.modelpar.graph.MeasuredTime(0, 0)));
        List<TensorEdge> out = vgg.outgoing("node12");
        assertThat(out).extracting(TensorEdge::bytes).containsOnly(411041792L);
        assertThat(vgg.name()).isEqualTo("vgg16");
    }
}
