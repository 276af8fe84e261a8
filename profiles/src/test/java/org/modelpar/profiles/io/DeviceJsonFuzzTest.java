package org.modelpar.profiles.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.ProfileException;

/**
 * Fuzzes the {@code modelpar-device/1} reader: any input either parses (and then round-trips through the writer)
 * or fails with a one-line {@link ProfileException}. Seeds and crash reproducers:
 * {@code src/test/resources/org/modelpar/profiles/io/DeviceJsonFuzzTestInputs/}.
 */
class DeviceJsonFuzzTest {
    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"format\"", "\"modelpar-device/1\"", "\"name\"", "\"peakFlopsPerSecond\"",
            "\"memoryBytes\"", "\"memoryBandwidthBytesPerSecond\"", "\"matmulEfficiency\"", "\"memoryEfficiency\"",
            "\"source\"", "9223372036854775807", "1e308", "NaN", "-0.0"})
    void deviceJson(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        DeviceProfile device;
        try {
            device = DeviceJson.parse(text, "fuzz.json");
        } catch (ProfileException e) {
            assertThat(e.getMessage()).startsWith("fuzz.json: ").doesNotContain("\n");
            return;
        }
        assertThat(DeviceJson.parse(DeviceJson.write(device), "again.json")).isEqualTo(device);
    }
}
