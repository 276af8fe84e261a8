package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void jsonHasTheDocumentedKeys() throws IOException {
        assertThat(run("cluster", "--cluster", "dgx-a100:2", "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("name").asText()).isEqualTo("dgx-a100:2");
        assertThat(json.get("deviceCount").asInt()).isEqualTo(16);
        assertThat(json.get("nodeCount").asInt()).isEqualTo(2);
        JsonNode last = json.get("devices").get(15);
        assertThat(last.get("id").asText()).isEqualTo("n1g7");
        assertThat(last.get("type").asText()).isEqualTo("a100-sxm4-80gb");
        assertThat(last.get("node").asText()).isEqualTo("n1");
        assertThat(last.get("memoryBytes").asLong()).isEqualTo(80L << 30);
        assertThat(json.at("/links/interNode/bandwidthBytesPerSecond").asDouble()).isEqualTo(25e9);
        assertThat(json.at("/totals/memoryBytes").asLong()).isEqualTo(16 * (80L << 30));
        assertThat(json.at("/totals/peakFlopsPerSecond/bf16").asDouble()).isEqualTo(16 * 312e12);
        assertThat(json.get("contentHash").asText()).startsWith("sha256:");
    }

    @Test
    void tableShowsNodesLinksAndTotals() {
        assertThat(run("cluster", "--cluster", "mixed-a100-v100")).isZero();
        assertThat(out.toString()).contains("cluster mixed-a100-v100: 16 devices on 2 nodes")
                .contains("8 x v100-sxm2-32gb").contains("150.0 GB/s").contains("totals: 16 devices, 896.0 GiB memory");
    }

    @Test
    void badClusterFileExitsTwoWithOneLine() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\": \"modelpar-cluster/1\", \"name\": \"x\",\n \"nodes\": [}");
        assertThat(run("cluster", "--cluster", file.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("modelpar: " + file + ": line 2, column 12: malformed JSON: "
                + "Unexpected close marker '}': expected ']' (for Array starting at line 2, column 11)" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unknownNameAndMissingOptionExitTwo() {
        assertThat(run("cluster", "--cluster", "dgx-z9")).isEqualTo(2);
        assertThat(err.toString()).startsWith("modelpar: unknown cluster 'dgx-z9' (no such catalog cluster or file)")
                .hasLineCount(1);
        err.getBuffer().setLength(0);
        assertThat(run("cluster")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("modelpar: --cluster is required (e.g. --cluster dgx-a100:4)"
                + System.lineSeparator());
    }
}
