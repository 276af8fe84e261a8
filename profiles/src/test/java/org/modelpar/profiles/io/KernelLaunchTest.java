package org.modelpar.profiles.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.Catalog;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.profiles.KernelLaunches.OpLaunches;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.ProfileException;

/** The optional {@code kernelLaunchSeconds} and {@code hostCallSeconds} fields of a device: default, round trip, validation. */
class KernelLaunchTest {
    private static final String DEVICE = """
            {"format": "modelpar-device/1", "name": "gpu-x",
             "peakFlopsPerSecond": {"fp32": 1.0e13},
             "memoryBytes": 1000,
             "memoryBandwidthBytesPerSecond": 1.0e12,
             "matmulEfficiency": [[1.0e6, 0.5]],
             "memoryEfficiency": [[1.0e3, 0.5]],%s
             "source": "test"}
            """;

    @Test
    void absentFieldReadsAsZero() {
        assertThat(DeviceJson.parse(DEVICE.formatted(""), "d.json").kernelLaunchSeconds()).isZero();
    }

    @Test
    void presentFieldIsReadAndWrittenBack() {
        DeviceProfile d = DeviceJson.parse(DEVICE.formatted("\n \"kernelLaunchSeconds\": 2.5e-5,"), "d.json");
        assertThat(d.kernelLaunchSeconds()).isEqualTo(2.5e-5);
        String written = DeviceJson.write(d);
        assertThat(written).contains("\"kernelLaunchSeconds\" : 2.5E-5,\n  \"source\"");
        assertThat(DeviceJson.parse(written, "again")).isEqualTo(d);
    }

    @Test
    void negativeOrNonFiniteIsRefusedWithFieldAndValue() {
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted("\n \"kernelLaunchSeconds\": -1e-6,"), "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessage("d.json: kernelLaunchSeconds: must be non-negative, got -1.0E-6");
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted("\n \"kernelLaunchSeconds\": \"5us\","), "d.json"))
                .isInstanceOf(ProfileException.class).hasMessageStartingWith("d.json: kernelLaunchSeconds: ");
        assertThatThrownBy(() -> new DeviceProfile("g", Map.of("fp32", 1e12), 1, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(1), Double.NaN, ""))
                .isInstanceOf(ProfileException.class)
                .hasMessage("device 'g': kernelLaunchSeconds must be finite and non-negative, got NaN");
    }

    @Test
    void hostCallsCostALaunchUnlessMeasuredAndAreWrittenOnlyWhereTheyDiffer() {
        DeviceProfile unmeasured = DeviceJson.parse(DEVICE.formatted("\n \"kernelLaunchSeconds\": 2.5e-5,"), "d.json");
        assertThat(unmeasured.hostCallSeconds()).isEqualTo(2.5e-5);
        assertThat(DeviceJson.write(unmeasured)).doesNotContain("hostCallSeconds");
        DeviceProfile measured = DeviceJson.parse(DEVICE.formatted(
                "\n \"kernelLaunchSeconds\": 2.5e-5, \"hostCallSeconds\": 6.0e-6,"), "d.json");
        assertThat(measured.hostCallSeconds()).isEqualTo(6.0e-6);
        String written = DeviceJson.write(measured);
        assertThat(written).contains("\"kernelLaunchSeconds\" : 2.5E-5,\n  \"hostCallSeconds\" : 6.0E-6,");
        assertThat(DeviceJson.parse(written, "again")).isEqualTo(measured);
        assertThat(measured.withMemoryBytes(500).hostCallSeconds()).isEqualTo(6.0e-6);
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted("\n \"hostCallSeconds\": -1e-6,"), "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessage("d.json: hostCallSeconds: must be non-negative, got -1.0E-6");
        assertThatThrownBy(() -> new DeviceProfile("g", Map.of("fp32", 1e12), 1, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(1), 0, Double.POSITIVE_INFINITY, Map.of(), KernelLaunches.NONE, ""))
                .isInstanceOf(ProfileException.class)
                .hasMessage("device 'g': hostCallSeconds must be finite and non-negative, got Infinity");
    }

    @Test
    void hostCopiesAreMeasuredOrAbsent() {
        DeviceProfile unmeasured = DeviceJson.parse(DEVICE.formatted(""), "d.json");
        assertThat(unmeasured.hostCopyBytesPerSecond()).isZero();
        assertThat(DeviceJson.write(unmeasured)).doesNotContain("hostCopyBytesPerSecond");
        DeviceProfile measured = DeviceJson.parse(DEVICE.formatted("\n \"hostCopyBytesPerSecond\": 2.5e10,"), "d.json");
        assertThat(measured.hostCopyBytesPerSecond()).isEqualTo(2.5e10);
        assertThat(DeviceJson.write(measured)).contains("\"hostCopyBytesPerSecond\" : 2.5E10,");
        assertThat(DeviceJson.parse(DeviceJson.write(measured), "again")).isEqualTo(measured);
        assertThat(measured.withMemoryBytes(500).hostCopyBytesPerSecond()).isEqualTo(2.5e10);
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted("\n \"hostCopyBytesPerSecond\": 0,"), "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessageStartingWith("d.json: hostCopyBytesPerSecond: must be positive, got 0");
        assertThatThrownBy(() -> new DeviceProfile("g", Map.of("fp32", 1e12), 1, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(1), 0, 0, -1, Map.of(), KernelLaunches.NONE, ""))
                .isInstanceOf(ProfileException.class)
                .hasMessage("device 'g': hostCopyBytesPerSecond must be finite and non-negative, got -1.0");
    }

    @Test
    void catalogGpusChargeNoSeparateLaunchAndTheLocalDefaultDoes() {
        Catalog.deviceNames().forEach(n -> assertThat(Catalog.device(n).kernelLaunchSeconds()).as(n).isZero());
        assertThat(Catalog.device("a100-sxm4-80gb").source()).contains("kernelLaunchSeconds: 0");
    }

    @Test
    void clusterFilesCarryTheField() {
        DeviceProfile d = new DeviceProfile("w", Map.of("fp32", 1e10), 1L << 30, 1e10, EfficiencyCurve.constant(0.5),
                EfficiencyCurve.constant(0.5), 3e-5, "measured");
        ClusterSpec c = new ClusterSpec("c", List.of(new ClusterDevice("cpu0", "local", d)), new LinkProfile(1e9, 1e-5),
                new LinkProfile(1e9, 1e-5));
        assertThat(ClusterJson.parse(ClusterJson.write(c), "c.json").device("cpu0").orElseThrow().profile()
                .kernelLaunchSeconds()).isEqualTo(3e-5);
    }

    @Test
    void launchCountsAreReadWrittenBackAndOmittedWhenNone() {
        DeviceProfile d = DeviceJson.parse(DEVICE.formatted("""

                 "kernelLaunchSeconds": 2.0e-5,
                 "kernelLaunches": {"ops": {"linear": {"forward": 3, "backward": 8, "parameterTensors": 2}},
                                    "optimizerPerTensor": {"adam": 2}},"""), "d.json");
        assertThat(d.kernelLaunches()).isEqualTo(new KernelLaunches(Map.of("linear", new OpLaunches(3, 8, 2)),
                Map.of("adam", 2)));
        assertThat(d.kernelLaunches().optimizerPerTensor("sgd")).isEmpty();
        assertThat(DeviceJson.parse(DeviceJson.write(d), "again")).isEqualTo(d);
        assertThat(DeviceJson.write(d.withKernelLaunches(KernelLaunches.NONE))).doesNotContain("kernelLaunches\"");
    }

    @Test
    void badLaunchCountsNameTheFieldAndValue() {
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted("""

                 "kernelLaunches": {"ops": {"linear": {"forward": -3, "backward": 8, "parameterTensors": 2}}},"""),
                "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessage("d.json: kernelLaunches.ops.linear.forward: must be a whole number in 0..2147483647, got -3");
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted("""

                 "kernelLaunches": {"ops": {"linear": {"forward": 3, "backward": 8}}},"""), "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessage("d.json: kernelLaunches.ops.linear.parameterTensors: required field is missing");
    }
}
