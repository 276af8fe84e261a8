package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;

/** Structurally equal blocks are priced once: the cached price of every block equals its own probe. */
class BlockProbeTest {
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

    private static ComputationGraph subGraph(ComputationGraph graph, BlockSet blocks, int b) {
        Set<String> inside = new HashSet<>(blocks.opsOfBlock().get(b));
        return ComputationGraph.of("b", graph.measuredBatchSize(), blocks.opsOfBlock().get(b).stream()
                        .map(id -> graph.op(id).orElseThrow()).toList(),
                graph.tensors().stream().filter(t -> inside.contains(t.from()) && inside.contains(t.to())).toList());
    }
}
