package org.modelpar.profiles.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.ProfileLimits;

/** The catalogue of bad device and cluster inputs, each with its exact one-line message. */
class BadInputTest {
    private static final String DEVICE = """
            {"format": "modelpar-device/1", "name": "gpu-x",
             "peakFlopsPerSecond": {"fp32": 1.0e13},
             "memoryBytes": 1000,
             "memoryBandwidthBytesPerSecond": 1.0e12,
             "matmulEfficiency": [[1.0e6, 0.1], [1.0e9, 0.8]],
             "memoryEfficiency": [[1.0e3, 0.1]],
             "source": "test"}
            """;
    private static final String LINKS = """
             "intraNode": {"bandwidthBytesPerSecond": 1.0e11, "latencySeconds": 1.0e-6},
             "interNode": {"bandwidthBytesPerSecond": 1.0e10, "latencySeconds": 5.0e-6}}
            """;

    @TempDir
    Path dir;

    private static void device(String json, String message) {
        assertThatThrownBy(() -> DeviceJson.parse(json, "d.json")).isInstanceOf(ProfileException.class)
                .hasMessage(message);
    }

    private static void cluster(String nodes, String message) {
        String json = "{\"format\": \"modelpar-cluster/1\", \"name\": \"c\", \"nodes\": " + nodes + ",\n" + LINKS;
        assertThatThrownBy(() -> ClusterJson.parse(json, "c.json")).isInstanceOf(ProfileException.class)
                .hasMessage(message);
    }

    @Test
    void goodDeviceParses() {
        DeviceJson.parse(DEVICE, "d.json");
    }

    @Test
    void malformedJsonNamesLineAndColumn() {
        device("{\"format\": \"modelpar-device/1\",\n \"name\": x}",
                "d.json: line 2, column 10: malformed JSON: Unrecognized token 'x': was expecting "
                        + "(JSON String, Number (or 'NaN'/'+INF'/'-INF'), Array, Object or token 'null', 'true' or 'false')");
        device("{\"format\": \"modelpar-device/1\"", "d.json: line 1, column 31: malformed JSON: "
                + "Unexpected end-of-input: expected close marker for Object (start marker at line 1, column 1)");
        device("", "d.json: empty file, expected a JSON object");
        device("[1]", "d.json: expected a JSON object, got [1]");
    }

    @Test
    void nanPeak() {
        device(DEVICE.replace("1.0e13", "NaN"), "d.json: peakFlopsPerSecond.fp32: must be a finite number, got NaN");
    }

    @Test
    void missingField() {
        device(DEVICE.replace("\"memoryBytes\": 1000,", ""), "d.json: memoryBytes: required field is missing");
    }

    @Test
    void wrongTypesAndRanges() {
        device(DEVICE.replace("\"memoryBytes\": 1000", "\"memoryBytes\": \"1000\""),
                "d.json: memoryBytes: expected a whole number, got \"1000\"");
        device(DEVICE.replace("\"memoryBytes\": 1000", "\"memoryBytes\": 9223372036854775808"),
                "d.json: memoryBytes: must be at most 9223372036854775807, got 9223372036854775808");
        device(DEVICE.replace("\"memoryBytes\": 1000", "\"memoryBytes\": 1000.5"),
                "d.json: memoryBytes: must be a whole number, got 1000.5");
        device(DEVICE.replace("[1.0e9, 0.8]", "[1.0e9, 1.8]"),
                "d.json: matmulEfficiency[1][1]: efficiency must be in (0, 1], got 1.8");
        device(DEVICE.replace("[1.0e9, 0.8]", "[1.0e6, 0.8]"),
                "d.json: matmulEfficiency: efficiency curve has two points at size 1000000.0");
        device(DEVICE.replace("[1.0e9, 0.8]", "[1.0e9]"),
                "d.json: matmulEfficiency[1]: expected a pair [size, efficiency], got [1.0E9]");
        device(DEVICE.replace("\"format\": \"modelpar-device/1\"", "\"format\": \"modelpar-device/2\""),
                "d.json: format: expected \"modelpar-device/1\", got \"modelpar-device/2\"");
        device(DEVICE.replace("\"source\"", "\"sauce\""),
                "d.json: sauce: unknown field; allowed fields: format, hostCallSeconds, hostCopyBytesPerSecond, kernelLaunchSeconds, kernelLaunches, matmulEfficiency, memoryBandwidthBytesPerSecond, "
                        + "memoryBytes, memoryEfficiency, name, optimizerSecondsPerParameter, peakFlopsPerSecond, source");
        device(DEVICE.replace("\"name\": \"gpu-x\",", "\"name\": \"gpu-x\", \"name\": \"gpu-y\","),
                "d.json: line 1, column 56: malformed JSON: Duplicate field 'name'");
    }

    @Test
    void trailingTokensAfterTheDocument() {
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE + " {}", "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessageStartingWith("d.json: line 8, column 2: malformed JSON: Trailing token");
    }

    @Test
    void controlCharactersInKeysAndValuesStayOnOneLine() {
        device(DEVICE.replace("\"source\"", "\"sou\\nrce\""),
                "d.json: sou\\nrce: unknown field; allowed fields: format, hostCallSeconds, hostCopyBytesPerSecond, kernelLaunchSeconds, kernelLaunches, matmulEfficiency, memoryBandwidthBytesPerSecond, "
                        + "memoryBytes, memoryEfficiency, name, optimizerSecondsPerParameter, peakFlopsPerSecond, source");
        cluster("[{\"name\": \"n0\", \"devices\": [{\"id\": \"g0\", \"type\": \"a\\u2028b\"}]}]",
                "c.json: nodes[0].devices[0].type: unknown device type \"a\\u2028b\" for device \"g0\" on node \"n0\"; "
                        + "known types: v100-sxm2-32gb, a100-sxm4-40gb, a100-sxm4-80gb, h100-sxm5-80gb, h100-pcie-80gb, "
                        + "h200-sxm-141gb");
    }

    @Test
    void unknownDeviceType() {
        cluster("[{\"name\": \"n0\", \"devices\": [{\"id\": \"g0\", \"type\": \"a200\"}]}]",
                "c.json: nodes[0].devices[0].type: unknown device type \"a200\" for device \"g0\" on node \"n0\"; "
                        + "known types: v100-sxm2-32gb, a100-sxm4-40gb, a100-sxm4-80gb, h100-sxm5-80gb, h100-pcie-80gb, "
                        + "h200-sxm-141gb");
    }

    @Test
    void unknownTypeListsInlineTypesFirst() {
        String json = "{\"format\": \"modelpar-cluster/1\", \"name\": \"c\", \"deviceTypes\": {\"gpu-x\": "
                + DEVICE.replace("\"format\": \"modelpar-device/1\", ", "")
                + "}, \"nodes\": [{\"name\": \"n0\", \"devices\": [{\"id\": \"g0\", \"type\": \"gpu-y\"}]}],\n" + LINKS;
        assertThatThrownBy(() -> ClusterJson.parse(json, "c.json")).hasMessageStartingWith(
                "c.json: nodes[0].devices[0].type: unknown device type \"gpu-y\" for device \"g0\" on node \"n0\"; "
                        + "known types: gpu-x, v100-sxm2-32gb,");
    }

    @Test
    void negativeBandwidth() {
        String json = "{\"format\": \"modelpar-cluster/1\", \"name\": \"c\", \"nodes\": [{\"name\": \"n0\", \"devices\": "
                + "[{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}]}],\n" + LINKS.replace("1.0e10", "-1.0e10");
        assertThatThrownBy(() -> ClusterJson.parse(json, "c.json"))
                .hasMessage("c.json: interNode.bandwidthBytesPerSecond: must be positive, got -1.0E10");
    }

    @Test
    void computeCapacityOutsideOneToTheDeviceCount() {
        cluster("[{\"name\": \"n0\", \"computeCapacity\": 1.5, \"devices\": [{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}]}]",
                "c.json: nodes[0].computeCapacity: must be between 1 and the node's 1 devices, got 1.5");
        cluster("[{\"name\": \"n0\", \"computeCapacity\": -2, \"devices\": [{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}]}]",
                "c.json: nodes[0].computeCapacity: must be positive, got -2");
    }

    @Test
    void duplicateDeviceId() {
        cluster("[{\"name\": \"n0\", \"devices\": [{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}]},"
                        + " {\"name\": \"n1\", \"devices\": [{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}]}]",
                "c.json: nodes[1].devices[0].id: duplicate device id \"g0\" (first at nodes[0].devices[0])");
    }

    @Test
    void duplicateNodeAndEmptyNodes() {
        cluster("[{\"name\": \"n0\", \"devices\": [{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}]},"
                        + " {\"name\": \"n0\", \"devices\": [{\"id\": \"g1\", \"type\": \"v100-sxm2-32gb\"}]}]",
                "c.json: nodes[1].name: duplicate node name \"n0\" (first at nodes[0])");
        cluster("[]", "c.json: nodes: must not be empty");
        cluster("[{\"name\": \"n0\", \"devices\": []}]", "c.json: nodes[0].devices: must not be empty");
    }

    @Test
    void limits() throws IOException {
        Path file = dir.resolve("big.json");
        Files.writeString(file, " ".repeat(2000));
        assertThatThrownBy(() -> ClusterJson.read(file, ProfileLimits.DEFAULT.withMaxFileBytes(1000)))
                .hasMessage(file + ": file is larger than the limit of 1000 bytes");
        assertThatThrownBy(() -> ClusterJson.read(dir)).hasMessage(dir + ": not a regular file");
        String two = "{\"format\": \"modelpar-cluster/1\", \"name\": \"c\", \"nodes\": [{\"name\": \"n0\", \"devices\": "
                + "[{\"id\": \"g0\", \"type\": \"v100-sxm2-32gb\"}, {\"id\": \"g1\", \"type\": \"v100-sxm2-32gb\"}]}],\n"
                + LINKS;
        assertThatThrownBy(() -> ClusterJson.parse(two, "c.json", ProfileLimits.DEFAULT.withMaxDevices(1)))
                .hasMessage("c.json: nodes[0].devices[1]: more than 1 devices, the limit");
        assertThatThrownBy(() -> ClusterJson.parse(two, "c.json", ProfileLimits.DEFAULT.withMaxNodes(0)))
                .isInstanceOf(ProfileException.class);
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "{\"format\": \"modelpar-device/1\", \"source\": " + "[".repeat(100) + "]".repeat(100) + "}";
        assertThatThrownBy(() -> DeviceJson.parse(deep, "d.json")).isInstanceOf(ProfileException.class)
                .hasMessageStartingWith("d.json: malformed JSON: Document nesting depth (65) exceeds "
                        + "the maximum allowed (64");
    }

    @Test
    void totalMemoryOverflowIsRefusedNotWrapped() {
        String huge = DEVICE.replace("\"memoryBytes\": 1000", "\"memoryBytes\": 9223372036854775000");
        String json = "{\"format\": \"modelpar-cluster/1\", \"name\": \"c\", \"deviceTypes\": {\"gpu-x\": " + huge
                + "}, \"nodes\": [{\"name\": \"n0\", \"devices\": [{\"id\": \"g0\", \"type\": \"gpu-x\"}, "
                + "{\"id\": \"g1\", \"type\": \"gpu-x\"}]}],\n" + LINKS;
        assertThatThrownBy(() -> ClusterJson.parse(json, "c.json")).hasMessage("c.json: cluster 'c': total memoryBytes "
                + "overflows a 64-bit count: 9223372036854775000 + 9223372036854775000");
    }
}
