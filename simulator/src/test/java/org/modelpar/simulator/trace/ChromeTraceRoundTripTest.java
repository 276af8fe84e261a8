package org.modelpar.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

class ChromeTraceRoundTripTest {
    private final ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 1_000_000, 4_000_000, 100_000);
    private final ClusterSpec c = Fixtures.cluster(2, 2, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 5e-6), 100_000_000);
    private final PlacementPlan plan = Fixtures.plan(g, c, List.of(List.of("n0g0", "n0g1"), List.of("n1g0", "n1g1")), 2, 4,
            Schedule.ONE_F_ONE_B, 1, false, Precision.BF16, OptimizerKind.ADAM);
    private final StepProgram program = Lowering.lower(g, c, plan);

    private static String json(Timeline t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChromeTraceWriter.write(t, ChromeTraceWriter.Details.NONE, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Two measured steps of every device's program, at times a double carries exactly in microseconds and seconds. */
    private Timeline measured() {
        Timeline.Builder b = Timeline.builder(Timeline.Source.MEASURED, program.programs().stream().map(DeviceProgram::device).toList());
        for (int step = 0; step < 2; step++) {
            for (DeviceProgram p : program.programs()) {
                for (int i = 0; i < p.instructions().size(); i++) {
                    double start = step * 4.0 + i / 64.0;
                    b.add(new Span(p.device(), step, i, p.instructions().get(i), start, start + 1 / 128.0));
                    b.add(new MemorySample(p.device(), start, 1000L * i + step));
                }
            }
        }
        return b.build();
    }

    @Test
    void aMeasuredTimelineReadsBackEqual() {
        Timeline t = measured();
        assertThat(ChromeTraceReader.parse(json(t), "t.json", program)).isEqualTo(t);
        assertThat(t.lastStep().spans()).hasSize(program.instructionCount());
    }

    @Test
    void aPausedStepReadsBackAsAGlobalInstantEventAtItsStart() {
        Timeline.Builder b = Timeline.builder(Timeline.Source.MEASURED, measured().devices());
        measured().spans().forEach(b::add);
        Timeline t = b.paused(1).build();
        String json = json(t);
        assertThat(json).contains("{\"name\":\"garbage collection\",\"cat\":\"pause\",\"ph\":\"i\",\"s\":\"g\","
                + "\"ts\":4000000.0,\"pid\":0,\"tid\":0,\"args\":{\"step\":1}}");
        Timeline back = ChromeTraceReader.parse(json, "t.json", program);
        assertThat(back.pausedSteps()).containsExactly(1);
        assertThat(back).isEqualTo(t);
        assertThat(back.step(1).pausedSteps()).containsExactly(1);
        assertThat(back.step(0).pausedSteps()).isEmpty();
        assertThatThrownBy(() -> ChromeTraceReader.parse(json.replace("\"tid\":0,\"args\":{\"step\":1}}]", "\"tid\":0,\"args\":{\"step\":-1}}]"), "t.json", program))
                .isInstanceOf(PlanException.class).hasMessageStartingWith("trace t.json: event ")
                .hasMessageEndingWith(" (garbage collection) needs a non-negative integer args.step, got -1");
        String spanAtStepMinusOne = json.replaceFirst("\"args\":\\{\"step\":1", "\"args\":{\"step\":-1");
        assertThatThrownBy(() -> ChromeTraceReader.parse(spanAtStepMinusOne, "t.json", program))
                .isInstanceOf(PlanException.class).hasMessageStartingWith("trace t.json: event ")
                .hasMessageContaining("needs a non-negative integer args.step, got -1");
    }

    @Test
    void aSimulatedTimelineReadsBackWithItsInstructionsAndTimes() {
        Timeline t = Simulator.simulate(g, c, plan, SimulationOptions.defaults().withTrace(true)).timeline().orElseThrow();
        Timeline back = ChromeTraceReader.parse(json(t), "sim.json", program);
        assertThat(back.source()).isEqualTo(Timeline.Source.SIMULATED);
        assertThat(back.devices()).isEqualTo(t.devices());
        assertThat(back.memory()).hasSameSizeAs(t.memory());
        assertThat(back.spans()).hasSameSizeAs(t.spans());
        for (int i = 0; i < t.spans().size(); i++) {
            Span a = t.spans().get(i);
            Span r = back.spans().get(i);
            assertThat(List.of(r.device(), r.step(), r.index(), r.instruction())).isEqualTo(List.of(a.device(), 0, a.index(), a.instruction()));
            assertThat(r.startSeconds()).isCloseTo(a.startSeconds(), within(1e-15));
            assertThat(r.endSeconds()).isCloseTo(a.endSeconds(), within(1e-15));
        }
    }

    @Test
    void foreignOrMalformedTracesAreOneLineErrors() {
        assertThatThrownBy(() -> ChromeTraceReader.parse("{\"traceEvents\": 3}", "x.json", program))
                .isInstanceOf(PlanException.class).hasMessage("trace x.json has no traceEvents array");
        String header = "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"args\":{\"name\":\"n0g0\"}}";
        assertThatThrownBy(() -> ChromeTraceReader.parse("[" + header + ",{\"ph\":\"X\",\"name\":\"F s0 mb0\",\"pid\":0,\"ts\":\"a\",\"dur\":1}]",
                "y.json", program)).isInstanceOf(PlanException.class).hasMessage("trace y.json: event 1 (F s0 mb0) needs a finite numeric ts, got \"a\"");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[" + header + ",{\"ph\":\"X\",\"name\":\"F s0 mb0\",\"pid\":0,\"ts\":0,\"dur\":1e999}]",
                "y.json", program)).isInstanceOf(PlanException.class).hasMessage("trace y.json: event 1 (F s0 mb0) needs a finite numeric dur, got Infinity");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[" + header + ",{\"ph\":\"e\",\"name\":\"send\",\"pid\":0,\"id\":3,\"ts\":1}]",
                "z.json", program)).hasMessage("trace z.json: event 1 ends async span 'send' (id 3) that never began");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[" + header + ",{\"ph\":\"X\",\"name\":\"F s7 mb0\",\"pid\":0,\"ts\":1,\"dur\":1}]",
                "w.json", program)).hasMessage("trace w.json: event 1 'F s7 mb0' is not an instruction of device n0g0 in the plan's step program");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[{\"ph\":\"X\",\"name\":\"F s0 mb0\",\"pid\":5,\"ts\":1,\"dur\":1}]",
                "v.json", program)).hasMessage("trace v.json: event 0 (F s0 mb0) is on pid 5, which has no process_name");
    }

    @Test
    void aTraceWithoutSpansOrWithANegativeDurationIsNotAMeasurement() {
        String device = "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"args\":{\"name\":\"n0g0\"}}";
        assertThatThrownBy(() -> ChromeTraceReader.parse("{\"traceEvents\":[" + device + "]}", "empty.json", program))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("trace empty.json has no instruction spans");
        assertThatThrownBy(() -> ChromeTraceReader.parse("[" + device + ",{\"ph\":\"X\",\"name\":\"F s0 mb0\",\"pid\":0,"
                + "\"ts\":10,\"dur\":-5}]", "neg.json", program)).isInstanceOf(PlanException.class)
                .hasMessage("trace neg.json: event 1 'F s0 mb0' lasts -5.0 us; a duration must be non-negative");
    }
}
