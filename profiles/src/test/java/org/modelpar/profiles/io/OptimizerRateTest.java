package org.modelpar.profiles.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.ProfileException;

/** The optional {@code optimizerSecondsPerParameter} field of a device: default, round trip, validation. */
class OptimizerRateTest {
    private static final String DEVICE = """
            {"format": "modelpar-device/1", "name": "cpu-x",
             "peakFlopsPerSecond": {"fp32": 1.0e11},
             "memoryBytes": 1000,
             "memoryBandwidthBytesPerSecond": 1.0e10,
             "matmulEfficiency": [[1.0e6, 0.5]],
             "memoryEfficiency": [[1.0e3, 0.5]],%s
             "source": "test"}
            """;

    @Test
    void absentFieldReadsAsNoMeasurement() {
        DeviceProfile d = DeviceJson.parse(DEVICE.formatted(""), "d.json");
        assertThat(d.optimizerSecondsPerParameter()).isEmpty();
        assertThat(d.optimizerSecondsPerParameter("adam")).isEmpty();
        assertThat(DeviceJson.write(d)).doesNotContain("optimizerSecondsPerParameter");
    }

    @Test
    void presentFieldIsReadAndWrittenBack() {
        DeviceProfile d = DeviceJson.parse(DEVICE.formatted(
                "\n \"optimizerSecondsPerParameter\": {\"sgd\": 1.5e-9, \"adam\": 6.5e-9},"), "d.json");
        assertThat(d.optimizerSecondsPerParameter("adam")).contains(6.5e-9);
        assertThat(d.optimizerSecondsPerParameter("sgd")).contains(1.5e-9);
        String written = DeviceJson.write(d);
        assertThat(written).contains("\"optimizerSecondsPerParameter\" : {\n    \"adam\" : 6.5E-9,\n    \"sgd\" : 1.5E-9\n  },");
        assertThat(DeviceJson.parse(written, "again")).isEqualTo(d);
    }

    @Test
    void nonPositiveOrNamelessIsRefusedWithFieldAndValue() {
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted(
                "\n \"optimizerSecondsPerParameter\": {\"adam\": 0},"), "d.json"))
                .isInstanceOf(ProfileException.class)
                .hasMessage("d.json: optimizerSecondsPerParameter.adam: must be positive, got 0");
        assertThatThrownBy(() -> DeviceJson.parse(DEVICE.formatted(
                "\n \"optimizerSecondsPerParameter\": {\"\": 1e-9},"), "d.json"))
                .isInstanceOf(ProfileException.class).hasMessageContaining("optimizer name must be non-empty");
        assertThatThrownBy(() -> new DeviceProfile("g", Map.of("fp32", 1e12), 1, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(1), 0, Map.of("sgd", Double.POSITIVE_INFINITY), ""))
                .isInstanceOf(ProfileException.class)
                .hasMessage("device 'g': optimizerSecondsPerParameter.sgd must be finite and positive, got Infinity");
    }
}
