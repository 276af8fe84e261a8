package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.Catalog;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.solver.timefold.PlacementProblem;

/**
 * The stage costs the partitioner balances include the expert all-to-alls: a hand-built mixture-of-experts layer
 * (input, router, 2 experts, combine) then a plain layer, on 2 A100s of one node over 10 GB/s links with 5 us
 * latency, d = 2, one sample per replica, fp32. Each expert reads 1,000 bytes of tokens and 8 of routing weights (which
 * stay on the member) and writes 1,000: a pass moves S = 2 x 2,000 = 4,000 bytes per device in 2 all-to-alls (dispatch,
 * combine), each one ring pass over e = 2 devices: {@code (e-1)/e x S / bw + 2 (e-1) x latency} = 200 ns + 10 us per
 * pass, forward and backward: 20.4 us in all, on the MoE layer's block only.
 */
class ExpertPricingTest {
    private static final double BANDWIDTH = 10e9;
    private static final double LATENCY = 5e-6;

    static ComputationGraph moeLayerThenPlainLayer() {
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        ops.add(op("in", "linear", "layer0", 4_000_000));
        ops.add(op("router", "moe-router", "layer0", 8_000));
        for (int j = 0; j < 2; j++) {
            ops.add(op("expert" + j, "moe-expert", "layer0", 8_000_000));
            tensors.add(new TensorEdge("x" + j, "in", "expert" + j, 1_000));
            tensors.add(new TensorEdge("w" + j, "router", "expert" + j, 8));
            tensors.add(new TensorEdge("y" + j, "expert" + j, "combine", 1_000));
        }
        tensors.add(new TensorEdge("r", "in", "router", 1_000));
        ops.add(op("combine", "moe-combine", "layer0", 0));
        ops.add(op("out", "linear", "layer1", 4_000_000));
        tensors.add(new TensorEdge("z", "combine", "out", 1_000));
        return ComputationGraph.of("moe-tiny", 1, ops, tensors);
    }

    private static OpNode op(String id, String kind, String layer, long parameterBytes) {
        return new OpNode(id, id, kind, layer, 1e9, 2e9, parameterBytes, 1_000, 0, Map.of(), Map.of());
    }

    static ClusterSpec twoGpus() {
        List<ClusterDevice> devices = List.of(new ClusterDevice("g0", "n0", Catalog.device("a100-sxm4-80gb")),
                new ClusterDevice("g1", "n0", Catalog.device("a100-sxm4-80gb")));
        LinkProfile link = new LinkProfile(BANDWIDTH, LATENCY);
        return new ClusterSpec("two", devices, link, link);
    }

    @Test
    void theMoeBlockIsPricedHigherByExactlyItsAllToAlls() {
        ComputationGraph graph = moeLayerThenPlainLayer();
        ClusterSpec cluster = twoGpus();
        CostModel cost = SimulationOptions.defaults().costModel();
        BlockSet blocks = BlockSet.of(graph, 4); // few blocks allowed: one per layer
        BlockProbe probe = new BlockProbe(graph, cluster, cost, blocks);
        PlanRequest request = PlanRequest.of(2).withPrecision(Precision.FP32, OptimizerKind.ADAM)
                .withSharding(OptionalInt.of(0), OptionalInt.empty());
        Configuration plain = new Configuration(1, 1, 2, 2, 1, Schedule.ONE_F_ONE_B, false);
        Configuration experts = plain.withExpertParallel(2);
        double perPass = 0.5 * 4_000 / BANDWIDTH + 2 * LATENCY;

        assertThat(blocks.size()).isEqualTo(2);
        double moe = probe.price(0, cluster.devices(), experts, request, false).computeSeconds()
                - probe.price(0, cluster.devices(), plain, request, false).computeSeconds();
        double dense = probe.price(1, cluster.devices(), experts, request, false).computeSeconds()
                - probe.price(1, cluster.devices(), plain, request, false).computeSeconds();
        assertThat(moe).isCloseTo(2 * perPass, within(1e-15));
        assertThat(dense).isZero();

        // the dynamic program's block costs carry it (nanoseconds, rounded)
        ProblemBuilder builder = new ProblemBuilder(cluster, cost, blocks, probe, request);
        PlacementProblem withExperts = builder.build(experts);
        PlacementProblem without = builder.build(plain);
        assertThat(withExperts.blocks().get(0).computeNanos()[0] - without.blocks().get(0).computeNanos()[0])
                .isCloseTo(Math.round(2 * perPass * 1e9), within(1L));
    }

    @Test
    void expertDegreesDivideTheExpertsAndTheDataDegree() {
        assertThat(ConfigurationSpace.expertsPerLayer(moeLayerThenPlainLayer())).isEqualTo(2);
        assertThat(ConfigurationSpace.expertsPerLayer(PlanInterleavedTest.uniformChain(0, 0))).isZero();
        PlanRequest open = PlanRequest.of(8);
        assertThat(open.expertDegrees(8, 4)).containsExactly(1, 2, 4);
        assertThat(open.expertDegrees(8, 6)).containsExactly(1, 2);
        assertThat(open.expertDegrees(0, 4)).containsExactly(1);
        assertThat(open.withSharding(OptionalInt.empty(), OptionalInt.of(2)).expertDegrees(8, 4)).containsExactly(2);
        assertThat(open.withSharding(OptionalInt.of(1), OptionalInt.empty()).expertDegrees(8, 4)).containsExactly(1);
        RuntimeCheck noFour = (s, o) -> o.expertParallel() == 4 ? Optional.of("not trained") : Optional.empty();
        assertThat(open.forRuntime(noFour).expertDegrees(8, 4)).containsExactly(1, 2);
    }
}
