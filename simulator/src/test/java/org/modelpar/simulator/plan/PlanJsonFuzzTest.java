package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the {@code modelpar-plan/1} reader: any input either parses (and then writes and reads back to the same
 * text) or fails with a one-line {@link PlanException}. Seeds and crash reproducers:
 * {@code src/test/resources/org/modelpar/simulator/plan/PlanJsonFuzzTestInputs/planJson/}.
 */
class PlanJsonFuzzTest {
    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"format\"", "\"modelpar-plan/1\"", "\"graph\"", "\"cluster\"", "\"hash\"", "\"precision\"",
            "\"optimizer\"", "\"schedule\"", "\"1f1b\"", "\"gpipe\"", "\"stages\"", "\"devices\"", "\"ops\"",
            "\"recompute\"", "\"computeSeconds\"", "\"predicted\"", "\"peakMemoryBytes\"", "\"explanation\"",
            "\"runnerUps\"", "\"microBatches\"", "\"tensorParallel\"", "2147483648", "9223372036854775808", "NaN"})
    void planJson(byte[] input) {
        PlanFile plan;
        try {
            plan = PlanJson.read(new String(input, StandardCharsets.UTF_8), "fuzz.json");
        } catch (PlanException e) {
            assertThat(e.getMessage()).startsWith("fuzz.json: ").doesNotContain("\n");
            return;
        }
        String text = PlanJson.write(plan);
        assertThat(PlanJson.write(PlanJson.read(text, "again.json"))).isEqualTo(text);
    }
}
