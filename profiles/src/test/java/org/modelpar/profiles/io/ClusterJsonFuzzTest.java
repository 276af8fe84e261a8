package org.modelpar.profiles.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.ProfileLimits;

/**
 * Fuzzes the {@code modelpar-cluster/1} reader (with catalog device types and small limits, so huge clusters
 * are refused rather than built): any input either parses, round-trips and hashes stably, or fails with a
 * one-line {@link ProfileException}. Seeds and crash reproducers:
 * {@code src/test/resources/org/modelpar/profiles/io/ClusterJsonFuzzTestInputs/}.
 */
class ClusterJsonFuzzTest {
    private static final ProfileLimits LIMITS = new ProfileLimits(1 << 20, 4_096, 512);

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"format\"", "\"modelpar-cluster/1\"", "\"name\"", "\"nodes\"", "\"devices\"",
            "\"id\"", "\"type\"", "\"deviceTypes\"", "\"intraNode\"", "\"interNode\"", "\"bandwidthBytesPerSecond\"",
            "\"latencySeconds\"", "\"a100-sxm4-80gb\"", "\"memoryBytes\"", "9223372036854775807", "NaN"})
    void clusterJson(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ClusterSpec cluster;
        try {
            cluster = ClusterJson.parse(text, "fuzz.json", LIMITS);
        } catch (ProfileException e) {
            assertThat(e.getMessage()).startsWith("fuzz.json: ").doesNotContain("\n");
            return;
        }
        ClusterSpec again = ClusterJson.parse(ClusterJson.write(cluster), "again.json", LIMITS);
        assertThat(again).isEqualTo(cluster);
        assertThat(ClusterJson.contentHash(again)).isEqualTo(ClusterJson.contentHash(cluster));
        assertThat(cluster.totalMemoryBytes()).isPositive();
    }
}
