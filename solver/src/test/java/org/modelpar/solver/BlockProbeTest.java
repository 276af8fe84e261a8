package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.plan.Schedule;

/**
 * Structurally equal blocks are priced once: the cached price of every block equals its own probe, also where two
 * configurations share everything but the replicas the ZeRO state is sharded over.
 */
class BlockProbeTest {
    /** fp32 master weights and Adam's two moments, per parameter (bf16 with Adam, the request's default). */
    private static final long OPTIMIZER_BYTES = 4 + 8;

    @Test
    void everyBlockPricesAsItsOwnProbeWhileEqualLayersShareOne() {
        ComputationGraph graph = ModelZoo.build("gpt2-medium");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        BlockSet blocks = BlockSet.of(graph, 256);
        BlockProbe probe = new BlockProbe(graph, cluster, SimulationOptions.defaults().costModel(), blocks);
        List<ClusterDevice> devices = cluster.devices().subList(0, 4);
        PlanRequest request = PlanRequest.of(64);
        Set<String> signatures = new HashSet<>();
        for (Configuration c : List.of(new Configuration(2, 2, 2, 8, 8, org.modelpar.simulator.plan.Schedule.ONE_F_ONE_B, true),
                new Configuration(2, 4, 1, 4, 16, org.modelpar.simulator.plan.Schedule.ZB_H1, false))) {
            for (int b = 0; b < blocks.size(); b++) {
                assertThat(probe.price(b, devices, c, request, c.recompute()))
                        .isEqualTo(probe.probe(b, devices, c, request, c.recompute()));
            }
        }
        for (int b = 0; b < blocks.size(); b++) {
            signatures.add(BlockProbe.signature(subGraph(graph, blocks, b)));
        }
        assertThat(blocks.size()).isGreaterThan(20);
        assertThat(signatures).as("24 equal transformer layers, the embedding and the head").hasSizeLessThan(6);
    }

    /**
     * At ZeRO stage 1 a device of 2 replicas holds half of a layer's optimizer state, of 4 replicas a quarter: with one
     * sample per replica in both, a price keyed without the replica count would give the second the first's memory.
     */
    @Test
    void zeroShardedStatePricedPerReplicaCount() {
        ComputationGraph graph = ModelZoo.build("gpt2-medium");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        BlockSet blocks = BlockSet.of(graph, 256);
        PlanRequest request = PlanRequest.of(64).withSharding(OptionalInt.of(1), OptionalInt.empty());
        Configuration two = new Configuration(1, 1, 2, 2, 32, Schedule.ONE_F_ONE_B, false);
        Configuration four = new Configuration(1, 1, 4, 4, 16, Schedule.ONE_F_ONE_B, false);
        List<ClusterDevice> twoDevices = cluster.devices().subList(0, 2);
        List<ClusterDevice> fourDevices = cluster.devices().subList(0, 4);
        BlockProbe probe = new BlockProbe(graph, cluster, SimulationOptions.defaults().costModel(), blocks);
        int layer = blocks.size() / 2;
        BlockProbe.Result onTwo = probe.price(layer, twoDevices, two, request, false);
        BlockProbe.Result onFour = probe.price(layer, fourDevices, four, request, false);
        assertThat(onFour).isEqualTo(probe.probe(layer, fourDevices, four, request, false));
        long held = onTwo.parameterShare();
        assertThat(onTwo.memory().fixed().optimizer()).isEqualTo(-Math.floorDiv(-held, 2) * OPTIMIZER_BYTES);
        assertThat(onFour.memory().fixed().optimizer()).isEqualTo(-Math.floorDiv(-held, 4) * OPTIMIZER_BYTES)
                .isLessThan(onTwo.memory().fixed().optimizer());
        assertThat(onFour.computeSeconds()).isEqualTo(onTwo.computeSeconds());
    }

    private static ComputationGraph subGraph(ComputationGraph graph, BlockSet blocks, int b) {
        Set<String> inside = new HashSet<>(blocks.opsOfBlock().get(b));
        return ComputationGraph.of("b", graph.measuredBatchSize(), blocks.opsOfBlock().get(b).stream()
                        .map(id -> graph.op(id).orElseThrow()).toList(),
                graph.tensors().stream().filter(t -> inside.contains(t.from()) && inside.contains(t.to())).toList());
    }
}
