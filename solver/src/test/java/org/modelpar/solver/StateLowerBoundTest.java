package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.DeviceReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** The training state every plan holds: a closed form by hand, and never above what a simulated plan holds. */
class StateLowerBoundTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("gpt2-medium");
    private static final ClusterSpec TWO_NODES = Clusters.resolve("dgx-a100:2");

    /**
     * One device holds the whole model at ZeRO stage 0: 2 bytes of bf16 weights, 2 of gradients, 4 of fp32 master
     * weights and 8 of Adam moments per parameter, exactly the bound.
     */
    @Test
    void oneDeviceHoldsExactlyTheBound() {
        PlanRequest request = PlanRequest.of(16);
        long parameters = GRAPH.ops().stream().mapToLong(op -> op.parameterBytes() / 4).sum();
        assertThat(StateLowerBound.totalBytes(GRAPH, request)).isEqualTo(parameters * (2 + 2 + 4 + 8));
        PlacementPlan plan = new PlacementPlan(GRAPH.name(), "", TWO_NODES.name(), "", request.precision(), request.optimizer(),
                16, 16, 1, Schedule.ONE_F_ONE_B, 1, List.of(new Stage(0, List.of("n0g0"),
                GRAPH.ops().stream().map(OpNode::id).toList(), false)));
        assertThat(heldStateBytes(plan)).isEqualTo(StateLowerBound.totalBytes(GRAPH, request));
        assertThat(least(request).leastBytes(Configuration.of(plan))).isEqualTo(StateLowerBound.totalBytes(GRAPH, request));
    }

    /**
     * Three shapes over 16 GPUs at every ZeRO stage: the devices together hold at least the whole state, and one
     * device of each stage at least the configuration's least state.
     */
    @Test
    void neverAboveTheStateOfASimulatedPlan() {
        PlanRequest request = PlanRequest.of(256);
        long bound = StateLowerBound.totalBytes(GRAPH, request);
        int checked = 0;
        for (int[] shape : new int[][] {{1, 1, 16}, {2, 1, 8}, {2, 4, 2}, {4, 2, 2}}) {
            PlacementPlan plan = plan(request, shape[0], shape[1], shape[2]);
            for (int zero = 0; zero <= 3; zero++) {
                PlacementPlan p = plan.withOptions(plan.options().withZeroStage(zero));
                String what = String.format("pp=%d tp=%d dp=%d zero %d", shape[0], shape[1], shape[2], zero);
                Map<String, DeviceReport> devices = Simulator.simulate(GRAPH, TWO_NODES, p).devices();
                assertThat(heldStateBytes(p)).as(what).isGreaterThanOrEqualTo(bound);
                long onePerStage = p.stages().stream().mapToLong(s -> state(devices.get(s.devices().get(0)))).sum();
                long least = least(request.withSharding(OptionalInt.of(zero), OptionalInt.empty())).leastBytes(Configuration.of(p));
                assertThat(least).as(what).isLessThanOrEqualTo(onePerStage).isGreaterThan(0);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(16);
    }

    /**
     * 145 billion parameters hold 16 bytes each, 2.3 TB, above the 16 x 76 GiB of two DGX A100 nodes; 1.7 billion
     * parameters fit.
     */
    @Test
    void provesNothingFitsFromTheStateAlone() {
        PlanRequest request = PlanRequest.of(64);
        assertThat(StateLowerBound.usableBytes(TWO_NODES, request)).isEqualTo(16 * (long) (80L * (1L << 30) * 0.95));
        assertThat(StateLowerBound.fitsNowhere(ModelZoo.build("megatron-145b"), TWO_NODES, request)).isTrue();
        assertThat(StateLowerBound.fitsNowhere(ModelZoo.build("megatron-1.7b"), TWO_NODES, request)).isFalse();
    }

    /** Weights (gathered ones included), gradients and optimizer state of every device at the simulated peak. */
    private static long heldStateBytes(PlacementPlan plan) {
        return Simulator.simulate(GRAPH, TWO_NODES, plan).devices().values().stream().mapToLong(StateLowerBoundTest::state).sum();
    }

    private static long state(DeviceReport device) {
        return device.memory().parameters() + device.memory().gradients() + device.memory().optimizer();
    }

    private static StateLowerBound least(PlanRequest request) {
        return new StateLowerBound(GRAPH, StagePlacer.of(GRAPH, request.maxBlocks()).blocks(), TWO_NODES, request);
    }

    private static PlacementPlan plan(PlanRequest base, int p, int t, int d) {
        PlanRequest request = base.withDegrees(OptionalInt.of(p), OptionalInt.of(t), OptionalInt.of(d), OptionalInt.empty())
                .withSchedule(Optional.of(Schedule.ONE_F_ONE_B)).withSharding(OptionalInt.of(0), OptionalInt.empty());
        return new Planner().plan(GRAPH, TWO_NODES, request).best().plan();
    }
}
