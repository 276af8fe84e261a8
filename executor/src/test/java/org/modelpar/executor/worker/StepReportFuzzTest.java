package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes what the coordinator reads from its workers after each step ({@link StepReport#decode}): any bytes either
 * decode into a report, which encodes to the same bytes' report again (bit for bit once re-encoded), or fail with a
 * one-line {@code malformed step report: ...} error; never another exception or an {@code OutOfMemoryError} (a count
 * the bytes cannot hold). So are the calibration passes a worker sends when asked ({@link PassReport#decode}). Seeds and
 * crash reproducers: {@code src/test/resources/org/modelpar/executor/worker/StepReportFuzzTestInputs/<method>/}.
 */
class StepReportFuzzTest {
    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"cpu0", "cpu1", "p:", "o:", "FLOAT", "DOUBLE", "rank 0", "coordinator", "step 3"})
    void stepReport(byte[] input) {
        StepReport r;
        try {
            r = StepReport.decode(input);
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).startsWith("malformed step report: ").doesNotContain("\n").doesNotContain("\r");
            return;
        }
        byte[] encoded = r.encode();
        assertThat(StepReport.decode(encoded).encode()).as("bit-exact, NaNs too").isEqualTo(encoded);
    }

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"fc1", "loss", "embed"})
    void passReport(byte[] input) {
        PassReport r;
        try {
            r = PassReport.decode(input);
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).startsWith("malformed calibration pass: ").doesNotContain("\n").doesNotContain("\r");
            return;
        }
        byte[] encoded = r.encode();
        assertThat(PassReport.decode(encoded).encode()).as("bit-exact, NaNs too").isEqualTo(encoded);
    }
}
