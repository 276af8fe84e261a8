package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.transport.LinkProbeServer;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.io.ClusterJson;

/** {@code modelpar profile --hosts}: two link probes on loopback, their link measured and written into a two-node cluster. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProfileHostsTest {
    @Test
    void measuresTheLinkBetweenTwoProbesAndWritesItIntoTheCluster(@TempDir Path dir) throws Exception {
        try (LinkProbeServer a = new LinkProbeServer("127.0.0.1", 0, "127.0.0.1");
             LinkProbeServer b = new LinkProbeServer("127.0.0.1", 0, "127.0.0.1")) {
            Path out = dir.resolve("measured.json");
            String hosts = "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port();
            CliRun run = CliRun.of("profile", "--hosts", hosts, "--cluster", "dgx-a100:2", "--out", out.toString(),
                    "--repetitions", "3", "--json");
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode link = new ObjectMapper().readTree(run.out()).get("links").get(0);
            assertThat(link.get("from").asText()).isEqualTo("127.0.0.1:" + a.port());
            LinkProfile printed = new LinkProfile(link.get("bandwidthBytesPerSecond").asDouble(), link.get("latencySeconds").asDouble());
            assertThat(printed.latencySeconds()).isPositive();

            ClusterSpec written = ClusterJson.read(out);
            assertThat(written.hosts().values()).containsExactly("127.0.0.1", "127.0.0.1");
            assertThat(written.nodeLinks().values()).allSatisfy(l -> assertThat(l.interNode()).isEqualTo(printed));
            assertThat(written.devices()).hasSize(16);

            CliRun text = CliRun.of("profile", "--hosts", hosts, "--cluster", "dgx-a100:2", "--out", out.toString(),
                    "--repetitions", "3");
            assertThat(text.out()).contains("127.0.0.1:" + a.port() + " <-> 127.0.0.1:" + b.port() + ": latency ", "wrote " + out);
        }
    }

    @Test
    void refusesHostsThatAreNotOnePerNodeOrNotHostPort(@TempDir Path dir) {
        String out = dir.resolve("c.json").toString();
        CliRun three = CliRun.of("profile", "--hosts", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", "--cluster", "dgx-a100:2", "--out", out);
        assertThat(three.exitCode()).isEqualTo(2);
        assertThat(three.err().strip()).doesNotContain("\n")
                .isEqualTo("modelpar: --hosts: 3 hosts for cluster 'dgx-a100:2' of 2 nodes (n0, n1): give one host:port per node, in node order");
        CliRun noPort = CliRun.of("profile", "--hosts", "nodeA,nodeB", "--cluster", "dgx-a100:2", "--out", out);
        assertThat(noPort.exitCode()).isEqualTo(2);
        assertThat(noPort.err()).contains("--hosts: 'nodeA' is not HOST:PORT");
    }
}
