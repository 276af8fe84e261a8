package org.modelpar.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSpecTest {
    private static final LinkProfile FAST = new LinkProfile(100e9, 1e-6);
    private static final LinkProfile SLOW = new LinkProfile(1e9, 1e-5);
    private static final LinkProfile MID = new LinkProfile(10e9, 2e-6);

    private static DeviceProfile gpu(long memoryBytes) {
        return new DeviceProfile("gpu", Map.of("fp32", 1e13), memoryBytes, 1e12, EfficiencyCurve.constant(0.5),
                EfficiencyCurve.constant(0.5), "test");
    }

    private final List<ClusterDevice> devices = List.of(new ClusterDevice("a0", "a", gpu(10)),
            new ClusterDevice("a1", "a", gpu(10)), new ClusterDevice("b0", "b", gpu(10)));

    @Test
    void lookupAndNodes() {
        ClusterSpec c = new ClusterSpec("c", devices, FAST, MID);
        assertThat(c.device("b0")).map(ClusterDevice::node).contains("b");
        assertThat(c.device("zz")).isEmpty();
        assertThat(c.nodes()).containsOnlyKeys("a", "b");
        assertThat(c.totalMemoryBytes()).isEqualTo(30);
        assertThat(c.linksOf("a")).isEqualTo(new NodeLinks(FAST, MID));
    }

    @Test
    void withComputeCapacityChangesOnlyTheCapacity() {
        ClusterSpec c = new ClusterSpec("c", devices, FAST, MID, Map.of("b", new NodeLinks(MID, SLOW)));
        ClusterSpec shared = c.withComputeCapacity(Map.of("a", 1.5));
        assertThat(shared.computeCapacity()).containsExactly(Map.entry("a", 1.5));
        assertThat(shared).isEqualTo(new ClusterSpec("c", devices, FAST, MID, Map.of("b", new NodeLinks(MID, SLOW)),
                Map.of("a", 1.5)));
        assertThat(c.computeCapacity()).isEmpty();
    }

    @Test
    void hostsNameNodesAndSurviveTheFileFormat() {
        ClusterSpec c = new ClusterSpec("c", devices, FAST, MID, Map.of("b", new NodeLinks(MID, SLOW)), Map.of(),
                Map.of("a", "node07", "b", "10.0.0.8"));
        assertThat(c.hostOf("a")).contains("node07");
        assertThat(c.withComputeCapacity(Map.of("a", 1.5)).hosts()).isEqualTo(c.hosts());
        String json = org.modelpar.profiles.io.ClusterJson.write(c);
        assertThat(json).contains("\"host\" : \"node07\"");
        assertThat(org.modelpar.profiles.io.ClusterJson.parse(json, "c.json")).isEqualTo(c);
        assertThat(org.modelpar.profiles.io.ClusterJson.write(new ClusterSpec("c", devices, FAST, MID))).doesNotContain("host");
        assertThatThrownBy(() -> new ClusterSpec("c", devices, FAST, MID, Map.of(), Map.of(), Map.of("x", "h")))
                .isInstanceOf(ProfileException.class).hasMessage("cluster 'c': host given for unknown node 'x'; nodes: a, b");
        assertThatThrownBy(() -> new ClusterSpec("c", devices, FAST, MID, Map.of(), Map.of(), Map.of("a", "node 7")))
                .isInstanceOf(ProfileException.class)
                .hasMessage("cluster 'c': node 'a' host must be a name or address without spaces, got 'node 7'");
    }

    @Test
    void crossNodeTransfersRunAtTheSlowerNodesLink() {
        ClusterSpec c = new ClusterSpec("c", devices, FAST, MID, Map.of("b", new NodeLinks(MID, SLOW)));
        ClusterDevice a0 = c.device("a0").orElseThrow();
        ClusterDevice b0 = c.device("b0").orElseThrow();
        assertThat(c.link(a0, c.device("a1").orElseThrow())).isEqualTo(FAST);
        assertThat(c.link(a0, b0)).isEqualTo(new LinkProfile(1e9, 1e-5));
        assertThat(c.link(b0, a0)).isEqualTo(c.link(a0, b0));
    }

    @Test
    void rejectsLinksForUnknownNodesAndOverflowingMemory() {
        assertThatThrownBy(() -> new ClusterSpec("c", devices, FAST, MID, Map.of("x", new NodeLinks(MID, SLOW))))
                .isInstanceOf(ProfileException.class).hasMessage("cluster 'c': links given for unknown node 'x'; nodes: a, b");
        List<ClusterDevice> huge = List.of(new ClusterDevice("a0", "a", gpu(Long.MAX_VALUE)),
                new ClusterDevice("a1", "a", gpu(1)));
        assertThatThrownBy(() -> new ClusterSpec("c", huge, FAST, MID)).isInstanceOf(ProfileException.class)
                .hasMessage("cluster 'c': total memoryBytes overflows a 64-bit count: 9223372036854775807 + 1");
    }
}
