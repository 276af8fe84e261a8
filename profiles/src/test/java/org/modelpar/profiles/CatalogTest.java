package org.modelpar.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.profiles.io.DeviceJson;

class CatalogTest {
    private static final double GB = 1e9;
    private static final long GIB = 1L << 30;

    static List<String> devices() {
        return Catalog.deviceNames();
    }

    static List<String> clusters() {
        return Catalog.clusterNames();
    }

    @Test
    void namesMatchTheFilesOnDisk() throws IOException {
        assertThat(fileNames("devices")).containsExactlyInAnyOrderElementsOf(Catalog.deviceNames());
        assertThat(fileNames("clusters")).containsExactlyInAnyOrderElementsOf(Catalog.clusterNames());
    }

    private static List<String> fileNames(String dir) throws IOException {
        try (Stream<Path> files = Files.list(TestFiles.catalogDir().resolve(dir))) {
            return files.map(p -> p.getFileName().toString().replaceFirst("\\.json$", "")).toList();
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void deviceFileIsCanonicalAndRoundTrips(String name) throws IOException {
        Path file = TestFiles.catalogDir().resolve("devices").resolve(name + ".json");
        DeviceProfile device = DeviceJson.read(file);
        assertThat(device).isEqualTo(Catalog.device(name));
        assertThat(device.name()).isEqualTo(name);
        assertThat(device.source()).contains("datasheet");
        assertThat(DeviceJson.write(device)).isEqualTo(Files.readString(file));
        assertThat(DeviceJson.parse(DeviceJson.write(device), "round trip")).isEqualTo(device);
        assertThat(device.matmulEfficiency().points()).hasSizeGreaterThan(3);
        assertThat(device.memoryEfficiency().points()).hasSizeGreaterThan(3);
    }

    @ParameterizedTest
    @MethodSource("clusters")
    void clusterFileLoadsAndRoundTrips(String name) {
        ClusterSpec cluster = Catalog.cluster(name);
        assertThat(cluster.name()).isEqualTo(name);
        ClusterSpec again = ClusterJson.parse(ClusterJson.write(cluster), "round trip");
        assertThat(again).isEqualTo(cluster);
        assertThat(ClusterJson.write(again)).isEqualTo(ClusterJson.write(cluster));
        assertThat(ClusterJson.contentHash(again)).isEqualTo(ClusterJson.contentHash(cluster)).startsWith("sha256:")
                .hasSize("sha256:".length() + 64);
    }

    @Test
    void datasheetNumbers() {
        DeviceProfile a100 = Catalog.device("a100-sxm4-80gb");
        assertThat(a100.peakFlops("bf16")).contains(312e12);
        assertThat(a100.peakFlops("fp16")).contains(312e12);
        assertThat(a100.peakFlops("tf32")).contains(156e12);
        assertThat(a100.peakFlops("fp32")).contains(19.5e12);
        assertThat(a100.memoryBytes()).isEqualTo(80 * GIB);
        assertThat(a100.memoryBandwidthBytesPerSecond()).isEqualTo(2039 * GB);
        DeviceProfile v100 = Catalog.device("v100-sxm2-32gb");
        assertThat(v100.peakFlops("fp16")).contains(125e12);
        assertThat(v100.peakFlops("bf16")).isEmpty();
        assertThat(Catalog.device("h100-sxm5-80gb").peakFlops("bf16")).contains(989.5e12);
        assertThat(Catalog.device("h100-pcie-80gb").peakFlops("bf16")).contains(756e12);
        assertThat(Catalog.device("h200-sxm-141gb").memoryBytes()).isEqualTo(141 * GIB);
        assertThat(Catalog.device("a100-sxm4-40gb").memoryBandwidthBytesPerSecond()).isEqualTo(1555 * GB);
    }

    @Test
    void dgxA100Links() {
        ClusterSpec dgx = Catalog.cluster("dgx-a100");
        assertThat(dgx.devices()).hasSize(8).allMatch(d -> d.type().equals("a100-sxm4-80gb"));
        // NVLink 3: 600 GB/s per GPU both directions together = 300 GB/s each way
        assertThat(dgx.intraNode().bandwidthBytesPerSecond()).isEqualTo(300 * GB);
        // 8 x 200 Gb/s HDR InfiniBand per node shared by 8 GPUs = 25 GB/s per GPU
        assertThat(dgx.interNode().bandwidthBytesPerSecond()).isEqualTo(8 * 200e9 / 8 / 8);
    }

    @Test
    void mixedClusterIsHeterogeneousWithPerNodeLinks() {
        ClusterSpec mixed = Catalog.cluster("mixed-a100-v100");
        assertThat(mixed.deviceTypes()).containsOnlyKeys("a100-sxm4-80gb", "v100-sxm2-32gb");
        assertThat(mixed.nodes()).containsOnlyKeys("n0", "n1");
        ClusterDevice a100 = mixed.device("n0g0").orElseThrow();
        ClusterDevice a100b = mixed.device("n0g1").orElseThrow();
        ClusterDevice v100 = mixed.device("n1g0").orElseThrow();
        ClusterDevice v100b = mixed.device("n1g1").orElseThrow();
        assertThat(mixed.link(a100, a100b).bandwidthBytesPerSecond()).isEqualTo(300 * GB);
        assertThat(mixed.link(v100, v100b).bandwidthBytesPerSecond()).isEqualTo(150 * GB);
        assertThat(mixed.link(a100, v100).bandwidthBytesPerSecond()).isEqualTo(6.25 * GB);
    }

    @Test
    void pcieClusterMatchesPipeDreamClusterA() {
        ClusterSpec pcie = Catalog.cluster("pcie-4xv100");
        assertThat(pcie.devices()).hasSize(4);
        assertThat(pcie.interNode().bandwidthBytesPerSecond()).isEqualTo(10e9 / 8 / 4);
    }

    @Test
    void unknownNamesListTheCatalog() {
        assertThatThrownBy(() -> Catalog.device("a200")).isInstanceOf(ProfileException.class)
                .hasMessage("unknown device 'a200'; catalog devices: v100-sxm2-32gb, a100-sxm4-40gb, a100-sxm4-80gb, "
                        + "h100-sxm5-80gb, h100-pcie-80gb, h200-sxm-141gb");
        assertThatThrownBy(() -> Catalog.cluster("dgx-b200")).isInstanceOf(ProfileException.class)
                .hasMessage("unknown cluster 'dgx-b200'; catalog clusters: dgx-v100, dgx-a100, dgx-h100, pcie-4xv100, "
                        + "mixed-a100-v100");
    }
}
