package org.modelpar.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Fuzzes the trace reader ({@code report --measured}) against a 2-stage 1F1B program of 2 micro-batches on 2 devices:
 * any input either reads into a timeline, which then writes and reads back with the same spans, memory samples and
 * paused steps, or fails with a one-line {@link PlanException} naming the trace. Seeds and crash reproducers:
 * {@code src/test/resources/org/modelpar/simulator/trace/ChromeTraceReaderFuzzTestInputs/traceJson/}.
 */
class ChromeTraceReaderFuzzTest {
    private static final StepProgram PROGRAM = program();

    private static StepProgram program() {
        ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 1_000_000, 4_000_000, 100_000);
        ClusterSpec c = Fixtures.cluster(1, 2, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 5e-6), 100_000_000);
        PlacementPlan plan = Fixtures.plan(g, c, List.of(List.of("n0g0"), List.of("n0g1")), 2, 2,
                Schedule.ONE_F_ONE_B, 1, false, Precision.FP32, OptimizerKind.SGD);
        return Lowering.lower(g, c, plan);
    }

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"traceEvents\"", "\"otherData\"", "\"plan\"", "\"ph\"", "\"X\"", "\"b\"", "\"e\"", "\"C\"", "\"i\"",
            "\"M\"", "\"name\"", "\"process_name\"", "\"pid\"", "\"tid\"", "\"ts\"", "\"dur\"", "\"args\"", "\"step\"",
            "\"bytes\"", "\"memory\"", "\"garbage collection\"", "\"n0g0\"", "\"n0g1\"", "\"F s0 mb0\"", "\"B s1 mb1\"",
            "2147483648", "-1", "1e999"})
    void traceJson(byte[] input) {
        Timeline t;
        try {
            t = ChromeTraceReader.parse(new String(input, StandardCharsets.UTF_8), "fuzz.json", PROGRAM);
        } catch (PlanException e) {
            assertThat(e.getMessage()).contains("trace fuzz.json").doesNotContain("\n").doesNotContain("\r");
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChromeTraceWriter.write(t, ChromeTraceWriter.Details.NONE, out);
        Timeline back = ChromeTraceReader.parse(out.toString(StandardCharsets.UTF_8), "again.json", PROGRAM);
        assertThat(back.spans()).hasSameSizeAs(t.spans());
        assertThat(back.memory()).hasSameSizeAs(t.memory());
        assertThat(back.pausedSteps()).isEqualTo(t.pausedSteps());
    }
}
