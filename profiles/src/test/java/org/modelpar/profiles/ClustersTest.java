package org.modelpar.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.profiles.io.ClusterJson;

class ClustersTest {
    @TempDir
    Path home;

    private ClusterSpec resolve(String arg) {
        return Clusters.resolve(arg, home, ProfileLimits.DEFAULT);
    }

    @Test
    void shortNameIsTheCatalogCluster() {
        assertThat(resolve("dgx-a100")).isEqualTo(Catalog.cluster("dgx-a100"));
    }

    @Test
    void oneReplicaEqualsTheCatalogClusterDevices() {
        ClusterSpec one = resolve("dgx-a100:1");
        assertThat(one.name()).isEqualTo("dgx-a100:1");
        assertThat(one.devices()).isEqualTo(Catalog.cluster("dgx-a100").devices());
    }

    @Test
    void nameColonNGivesNNodes() {
        ClusterSpec c = resolve("dgx-a100:16");
        assertThat(c.nodes()).hasSize(16);
        assertThat(c.devices()).hasSize(128);
        assertThat(c.devices().get(0).id()).isEqualTo("n0g0");
        assertThat(c.devices().get(127).id()).isEqualTo("n15g7");
        assertThat(c.device("n3g5").orElseThrow().node()).isEqualTo("n3");
        assertThat(c.totalMemoryBytes()).isEqualTo(128 * (80L << 30));
        assertThat(c.link(c.device("n0g0").orElseThrow(), c.device("n1g0").orElseThrow()).bandwidthBytesPerSecond())
                .isEqualTo(25e9);
    }

    /** Correctness of a large replication; its time is bench/cluster-lookup.sh's (the timeout stops a hang). */
    @Test
    @Timeout(60)
    void largeReplicationIsCompleteAndDeterministic() {
        ClusterSpec c = resolve("dgx-a100:192");
        assertThat(c.devices()).hasSize(1536);
        assertThat(ClusterJson.contentHash(resolve("dgx-a100:192"))).isEqualTo(ClusterJson.contentHash(c));
        assertThat(c.device("n191g7")).isPresent();
    }

    @Test
    void multiNodeTemplateRepeatsItsNodes() {
        ClusterSpec c = resolve("mixed-a100-v100:3");
        assertThat(c.nodes()).containsOnlyKeys("n0", "n1", "n2");
        assertThat(c.device("n0g0").orElseThrow().type()).isEqualTo("a100-sxm4-80gb");
        assertThat(c.device("n1g0").orElseThrow().type()).isEqualTo("v100-sxm2-32gb");
        assertThat(c.device("n2g0").orElseThrow().type()).isEqualTo("a100-sxm4-80gb");
        assertThat(c.linksOf("n1").intraNode().bandwidthBytesPerSecond()).isEqualTo(150e9);
        assertThat(c.linksOf("n2").intraNode().bandwidthBytesPerSecond()).isEqualTo(300e9);
    }

    @Test
    void onlyLocalWorkersAreLocal() {
        assertThat(resolve("local:3").localWorkers()).isTrue();
        assertThat(resolve("local:1").localWorkers()).isTrue();
        assertThat(resolve("dgx-a100").localWorkers()).isFalse();
        assertThat(resolve("mixed-a100-v100:3").localWorkers()).isFalse();
    }

    @Test
    void localWithABudgetSetsEveryWorkersMemoryAndReadsBack() {
        ClusterSpec c = resolve("local:2@48MiB");
        assertThat(c.name()).isEqualTo("local:2@48MiB");
        assertThat(c.localWorkers()).isTrue();
        assertThat(c.devices()).extracting(d -> d.profile().memoryBytes()).containsExactly(48L << 20, 48L << 20);
        assertThat(LocalCluster.withDeviceMemory(resolve("local:2"), 48L << 20, "x")).isEqualTo(c);
    }

    @Test
    void aBudgetChangesOnlyTheMemory() {
        DeviceProfile whole = resolve("local:2").devices().get(0).profile();
        DeviceProfile budgeted = resolve("local:2@48MiB").devices().get(0).profile();
        assertThat(whole.kernelLaunches()).isNotEqualTo(KernelLaunches.NONE);
        assertThat(budgeted).isEqualTo(whole.withMemoryBytes(48L << 20));
        assertThat(budgeted.kernelLaunches()).isEqualTo(whole.kernelLaunches());
    }

    @Test
    void reprofilingKeepsTheWorkerCountAndTheBudget() throws IOException {
        ClusterSpec budgeted = resolve("local:2@48MiB");
        ClusterSpec measured = Clusters.replicate(resolve("local:1"), 1, "measured", ProfileLimits.DEFAULT);
        Files.createDirectories(home.resolve("profiles"));
        Files.writeString(home.resolve(LocalCluster.MEASURED), ClusterJson.write(measured));
        ClusterSpec again = LocalCluster.reprofiled(budgeted, home, ProfileLimits.DEFAULT);
        assertThat(again).isEqualTo(resolve("local:2@48MiB"));
        assertThat(again.devices()).extracting(d -> d.profile().memoryBytes()).containsOnly(48L << 20);
        assertThat(LocalCluster.reprofiled(resolve("local:3"), home, ProfileLimits.DEFAULT)).isEqualTo(resolve("local:3"));
    }

    @Test
    void badBudgetsNameTheValueAndTheLimit() {
        assertThatThrownBy(() -> resolve("local:2@48MB")).isInstanceOf(ProfileException.class)
                .hasMessage("cluster 'local:2@48MB': the memory after '@' must be a size like 48MiB or 2GiB (a whole number"
                        + " and B, KiB, MiB, GiB or TiB), got '48MB'");
        assertThatThrownBy(() -> resolve("local:2@3GiB")).isInstanceOf(ProfileException.class)
                .hasMessage("cluster 'local:2@3GiB' is above the 2.00 GiB worker cpu0 has");
        assertThatThrownBy(() -> LocalCluster.withDeviceMemory(resolve("dgx-a100"), 1L << 30, "--device-memory 1GiB"))
                .isInstanceOf(ProfileException.class)
                .hasMessage("--device-memory 1GiB: cluster 'dgx-a100' is not this machine's workers; a memory budget applies to local:N");
    }

    @Test
    void localWithoutMeasurementUsesTheDefault() {
        ClusterSpec c = resolve("local:3");
        assertThat(c.name()).isEqualTo("local:3");
        assertThat(c.devices()).extracting(ClusterDevice::id).containsExactly("cpu0", "cpu1", "cpu2");
        assertThat(c.devices()).allMatch(d -> d.type().equals("local-cpu") && d.node().equals("local"));
        assertThat(c.devices().get(0).profile().peakFlops("fp32")).contains(2.0e10);
        assertThat(c.intraNode().bandwidthBytesPerSecond()).isEqualTo(2.0e9);
    }

    @Test
    void localUsesTheMeasuredProfileWhenPresent() throws IOException {
        ClusterSpec measured = Clusters.replicate(resolve("local:1"), 1, "measured", ProfileLimits.DEFAULT);
        String text = ClusterJson.write(measured).replace("2.0E10", "3.5E10");
        Files.createDirectories(home.resolve("profiles"));
        Files.writeString(home.resolve(LocalCluster.MEASURED), text);
        ClusterSpec c = resolve("local:2");
        assertThat(c.devices()).hasSize(2);
        assertThat(c.devices().get(1).profile().peakFlops("fp32")).contains(3.5e10);
    }

    @Test
    void measuredHostCapacityIsKeptCappedAtTheWorkerCountAndRoundTrips() throws IOException {
        ClusterSpec one = resolve("local:1");
        DeviceProfile cpu = one.devices().get(0).profile();
        ClusterSpec measured = new ClusterSpec("measured", List.of(new ClusterDevice("cpu0", "n0", cpu),
                new ClusterDevice("cpu1", "n0", cpu)), one.intraNode(), one.interNode(), Map.of(), Map.of("n0", 1.62));
        String text = ClusterJson.write(measured);
        assertThat(text).contains("\"computeCapacity\" : 1.62");
        assertThat(ClusterJson.parse(text, "m.json").computeCapacity()).isEqualTo(Map.of("n0", 1.62));
        Files.createDirectories(home.resolve("profiles"));
        Files.writeString(home.resolve(LocalCluster.MEASURED), text);
        assertThat(resolve("local:4").computeCapacity()).isEqualTo(Map.of("local", 1.62));
        assertThat(resolve("local:1").computeCapacity()).isEqualTo(Map.of("local", 1.0));
    }

    @Test
    void measuredProcessLinkRoundTripsAndPricesWorkerProcesses() throws IOException {
        ClusterSpec one = resolve("local:1");
        DeviceProfile cpu = one.devices().get(0).profile();
        LinkProfile threads = new LinkProfile(5e9, 80e-6);
        LinkProfile processes = new LinkProfile(2e8, 400e-6);
        ClusterSpec measured = new ClusterSpec("measured", List.of(new ClusterDevice("cpu0", "n0", cpu),
                new ClusterDevice("cpu1", "n0", cpu)), threads, threads, Map.of(), Map.of(), Map.of(), Map.of("n0", processes));
        String text = ClusterJson.write(measured);
        assertThat(text).contains("\"processLink\"");
        assertThat(ClusterJson.parse(text, "m.json")).isEqualTo(measured);
        Files.createDirectories(home.resolve("profiles"));
        Files.writeString(home.resolve(LocalCluster.MEASURED), text);
        ClusterSpec local = resolve("local:2");
        ClusterDevice a = local.devices().get(0);
        ClusterDevice b = local.devices().get(1);
        assertThat(local.link(a, b)).isEqualTo(threads);
        assertThat(local.asWorkerProcesses().link(a, b)).isEqualTo(processes);
        assertThat(local.asWorkerProcesses().devices()).isEqualTo(local.devices());
        assertThat(ClusterJson.parse(ClusterJson.write(one), "o.json").processLinks()).isEmpty();
        assertThat(one.asWorkerProcesses().link(one.devices().get(0), one.devices().get(0))).isEqualTo(one.intraNode());
    }

    @Test
    void filePathIsRead() throws IOException {
        Path file = home.resolve("my.json");
        Files.writeString(file, ClusterJson.write(Catalog.cluster("dgx-v100")));
        assertThat(resolve(file.toString())).isEqualTo(Catalog.cluster("dgx-v100"));
    }

    @Test
    void unknownShortNamesListTheCatalog() {
        String list = "catalog clusters: dgx-v100, dgx-a100, dgx-h100, pcie-4xv100, mixed-a100-v100; "
                + "also NAME:N, local:N or a modelpar-cluster/1 file";
        assertThatThrownBy(() -> resolve("dgx-b200")).isInstanceOf(ProfileException.class)
                .hasMessage("unknown cluster 'dgx-b200' (no such catalog cluster or file); " + list);
        assertThatThrownBy(() -> resolve("dgx-b200:4")).isInstanceOf(ProfileException.class)
                .hasMessage("unknown cluster 'dgx-b200' in 'dgx-b200:4' (no such catalog cluster or file); " + list);
        assertThatThrownBy(() -> resolve("missing/cluster.json")).isInstanceOf(ProfileException.class)
                .hasMessage("missing/cluster.json: file not found");
    }

    @Test
    void countsAreChecked() {
        assertThatThrownBy(() -> resolve("dgx-a100:0")).hasMessage("cluster 'dgx-a100:0': the count must be at least 1, got 0");
        assertThatThrownBy(() -> resolve("local:0")).hasMessage("cluster 'local:0': the count must be at least 1, got 0");
        // a known name with a count that is not a whole number: the count is the problem, not the name
        assertThatThrownBy(() -> resolve("dgx-a100:-1")).isInstanceOf(ProfileException.class)
                .hasMessage("cluster 'dgx-a100:-1': the count after ':' must be a whole number of at least 1, got '-1'");
        assertThatThrownBy(() -> resolve("local:abc")).isInstanceOf(ProfileException.class)
                .hasMessage("cluster 'local:abc': the count after ':' must be a whole number of at least 1, got 'abc'");
        assertThatThrownBy(() -> resolve("dgx-a100:100000")).isInstanceOf(ProfileException.class)
                .hasMessage("dgx-a100:100000: 100000 nodes, outside the limit of 1..8192");
        assertThatThrownBy(() -> Clusters.resolve("dgx-a100:3", home, ProfileLimits.DEFAULT.withMaxDevices(20)))
                .hasMessage("dgx-a100:3: 3 nodes with 24 devices, above the limit of 20 devices");
        assertThatThrownBy(() -> Clusters.resolve("local:5", home, ProfileLimits.DEFAULT.withMaxDevices(4)))
                .hasMessage("local:5: the worker count must be in 1..4, got 5");
    }
}
