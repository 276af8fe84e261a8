package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.trace.ChromeTraceWriter;

class ReportAndTraceTest {
    private final ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 1_000_000, 4_000_000, 100_000);
    private final ClusterSpec c = Fixtures.cluster(2, 2, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 5e-6), 100_000_000);
    private final PlacementPlan plan = Fixtures.plan(g, c, java.util.List.of(java.util.List.of("n0g0", "n0g1"),
            java.util.List.of("n1g0", "n1g1")), 2, 4, Schedule.ONE_F_ONE_B, 1, false, Precision.BF16, OptimizerKind.ADAM);

    @Test
    void jsonHasTheDesignKeys() {
        SimulationReport r = Simulator.simulate(g, c, plan);
        JsonNode j = ReportJson.toJson(r);
        for (String key : new String[] {"stepSeconds", "samplesPerSecond", "tflopsPerDevice", "modelTflopsPerDevice",
                "bubbleFraction", "events", "devices", "outOfMemory", "criticalPath", "exposedCommunicationFraction"}) {
            assertThat(j.has(key)).as(key).isTrue();
        }
        JsonNode dev = j.get("devices").get("n0g0");
        assertThat(dev.get("busyFraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(dev.get("memory").get("parameters").asLong()).isEqualTo(2_000_000);
        assertThat(dev.get("memory").get("optimizer").asLong()).isEqualTo(12_000_000);
        assertThat(j.get("outOfMemory").isNull()).isTrue();
        assertThat(j.get("samplesPerSecond").asDouble()).isEqualTo(8 / r.stepSeconds());
        assertThat(r.criticalPath().get(r.criticalPath().size() - 1).endSeconds()).isEqualTo(r.stepSeconds());
    }

    @Test
    void outOfMemoryIsReportedWithDeviceTimeAndBreakdown() {
        ClusterSpec small = Fixtures.cluster(2, 2, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 5e-6), 16_500_000);
        SimulationReport r = Simulator.simulate(g, small, plan);
        assertThat(r.fits()).isFalse();
        var oom = r.outOfMemory().orElseThrow();
        assertThat(oom.device()).isEqualTo("n0g0");
        assertThat(oom.capacityBytes()).isEqualTo(16_500_000);
        assertThat(oom.neededBytes()).isEqualTo(oom.breakdown().total()).isGreaterThan(16_500_000);
        assertThat(oom.breakdown().activations()).isPositive();
        assertThat(oom.atSeconds()).isGreaterThanOrEqualTo(0);
        assertThat(ReportJson.toJson(r).get("outOfMemory").get("device").asText()).isEqualTo("n0g0");
    }

    @Test
    void traceHasComputeCommunicationAndMemoryTracksAndIsDeterministic() throws IOException {
        SimulationOptions options = SimulationOptions.defaults().withTrace(true);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ChromeTraceWriter.write(Simulator.simulate(g, c, plan, options).timeline().orElseThrow(), ChromeTraceWriter.Details.NONE, a);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ChromeTraceWriter.write(Simulator.simulate(g, c, plan, options).timeline().orElseThrow(), ChromeTraceWriter.Details.NONE, b);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        JsonNode events = new ObjectMapper().readTree(a.toByteArray()).get("traceEvents");
        boolean compute = false;
        boolean comm = false;
        boolean memory = false;
        for (JsonNode e : events) {
            compute |= e.get("ph").asText().equals("X") && e.get("name").asText().equals("F s0 mb0");
            comm |= e.get("ph").asText().equals("X") && e.get("tid").asInt() >= 1 && e.get("name").asText().equals("send act s0>s1 mb0");
            memory |= e.get("ph").asText().equals("C") && e.get("args").get("bytes").asLong() > 0;
        }
        assertThat(compute).isTrue();
        assertThat(comm).isTrue();
        assertThat(memory).isTrue();
    }
}
