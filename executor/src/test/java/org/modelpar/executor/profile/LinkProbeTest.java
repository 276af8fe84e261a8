package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.modelpar.executor.Plans;
import org.modelpar.executor.transport.LinkProbeServer;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;

/** Two link probes on loopback measured over the gRPC transport, and the links written into a two-node cluster. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkProbeTest {
    private final ClusterSpec local = Plans.local(2);
    private final ClusterSpec twoNodes = new ClusterSpec("two", List.of(
            new ClusterDevice("a0", "a", local.devices().get(0).profile()),
            new ClusterDevice("b0", "b", local.devices().get(0).profile())), local.intraNode(), local.interNode(),
            Map.of(), Map.of(), Map.of("b", "127.0.0.1"));

    @Test
    void twoProbesOnLoopbackMeasureTheirLinkAndTheClusterTakesIt() {
        try (LinkProbeServer a = new LinkProbeServer("127.0.0.1", 0, "127.0.0.1");
             LinkProbeServer b = new LinkProbeServer("127.0.0.1", 0, "127.0.0.1")) {
            List<String> probes = List.of("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
            List<LinkProbe.Link> links = LinkProbe.measure(probes, 5);
            assertThat(links).hasSize(1);
            LinkProbe.Link l = links.get(0);
            assertThat(l.from()).isEqualTo(probes.get(0));
            assertThat(l.to()).isEqualTo(probes.get(1));
            assertThat(l.smallRoundTripSeconds()).isPositive().isLessThan(l.largeRoundTripSeconds());
            assertThat(l.link()).isEqualTo(LinkProbe.link(l.smallRoundTripSeconds(), l.largeRoundTripSeconds()));
            assertThat(l.link().latencySeconds()).isPositive().isLessThan(1);
            assertThat(l.link().bandwidthBytesPerSecond()).isGreaterThan(1e6);

            ClusterSpec measured = LinkProbe.withLinks(twoNodes, probes, links);
            assertThat(measured.hosts()).containsExactly(Map.entry("a", "127.0.0.1"), Map.entry("b", "127.0.0.1"));
            assertThat(measured.nodeLinks()).containsExactly(Map.entry("a", new NodeLinks(local.intraNode(), l.link())),
                    Map.entry("b", new NodeLinks(local.intraNode(), l.link())));
            assertThat(measured.link(measured.devices().get(0), measured.devices().get(1))).isEqualTo(l.link());
        }
    }

    @Test
    void linkFollowsTheLinearModel() {
        LinkProfile l = LinkProbe.link(0.002, 0.010);
        assertThat(l.latencySeconds()).isEqualTo(0.001);
        assertThat(l.bandwidthBytesPerSecond()).isCloseTo(LinkProbe.LARGE_BYTES / 0.004, within(1e-3));
        // a large round trip within the latency: its whole half counts as transfer time
        assertThat(LinkProbe.link(0.002, 0.0015).bandwidthBytesPerSecond()).isCloseTo(LinkProbe.LARGE_BYTES / 0.00075, within(1e-3));
    }

    @Test
    void refusesAHostCountOtherThanTheNodesAndAnotherHostThanTheNodeNames() {
        LinkProbe.Link link = new LinkProbe.Link("h1:1", "h2:2", new LinkProfile(1e9, 1e-5), 2e-5, 1e-2);
        assertThatThrownBy(() -> LinkProbe.withLinks(twoNodes, List.of("h1:1"), List.of(link)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("1 hosts for cluster 'two' of 2 nodes (a, b): give one host:port per node, in node order");
        assertThatThrownBy(() -> LinkProbe.withLinks(twoNodes, List.of("h1:1", "h2:2"), List.of(link)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'b' of cluster 'two' is host 127.0.0.1, but the host given for it (position 2 of --hosts) is h2:2");
    }
}
