package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphReader;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.solver.partition.ChainPartition;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.ChainSeed;

/**
 * The search's placement ({@link StagePlacer}: blocks chosen from the graph, exact program over ideals)
 * against the previous one (layer blocks, {@code --max-blocks} 256, DP along the block order), in the same
 * run: setup time (blocks, ideals), time per placement and the slowest stage found (same cost model, so
 * comparable across block sets), for the PipeDream graphs and the zoo's CNNs and seeded random DAGs,
 * p = 2, 4, 8 stages on one DGX A100 node, batch 64, 16 micro-batches.
 */
@Tag("slow")
class IdealDpBenchmark {
    @Test
    void idealDpAgainstBlockOrderDp() throws Exception {
        Map<String, ComputationGraph> graphs = new LinkedHashMap<>();
        for (String file : List.of("vgg16", "gnmt")) {
            graphs.put(file + " (pipedream)", GraphReader.read(PipeDreamOptimalityTest.data()
                    .resolve("pipedream/" + file + ".graph.txt"), GraphFormat.PIPEDREAM));
        }
        for (String preset : List.of("vgg16", "resnet50", "inception-v3")) {
            graphs.put(preset, ModelZoo.build(preset));
        }
        graphs.put("random 40x6", RandomDags.layered(1, 40, 6));
        graphs.put("random 60x4", RandomDags.layered(2, 60, 4));
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        RooflineCostModel cost = new RooflineCostModel();
        PlanRequest request = PlanRequest.of(64).withSchedule(Optional.of(Schedule.ONE_F_ONE_B));
        for (Map.Entry<String, ComputationGraph> e : graphs.entrySet()) {
            ComputationGraph g = e.getValue();
            long start = System.nanoTime();
            BlockSet oldBlocks = BlockSet.of(g, request.maxBlocks());
            double oldSetup = (System.nanoTime() - start) * 1e-9;
            start = System.nanoTime();
            StagePlacer placer = StagePlacer.of(g, request.maxBlocks());
            double newSetup = (System.nanoTime() - start) * 1e-9;
            ProblemBuilder oldProblems = new ProblemBuilder(cluster, cost, oldBlocks, new BlockProbe(g, cluster, cost, oldBlocks), request);
            ProblemBuilder newProblems = new ProblemBuilder(cluster, cost, placer.blocks(),
                    new BlockProbe(g, cluster, cost, placer.blocks()), request);
            for (int p : new int[] {2, 4, 8}) {
                if (p > Math.min(oldBlocks.size(), placer.blocks().size())) {
                    continue;
                }
                Configuration c = new Configuration(p, 1, 8 / p, 8 / p * 4, 16, Schedule.ONE_F_ONE_B, false);
                var oldProblem = oldProblems.build(c);
                var newProblem = newProblems.build(c);
                ChainSeed.optimal(oldProblem);
                placer.place(newProblem);
                start = System.nanoTime();
                double old = ChainSeed.optimal(oldProblem).map(ChainPartition::bottleneck).orElse(Double.POSITIVE_INFINITY);
                double oldSeconds = (System.nanoTime() - start) * 1e-9;
                start = System.nanoTime();
                double ours = placer.place(newProblem).map(IdealPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY);
                double ourSeconds = (System.nanoTime() - start) * 1e-9;
                System.out.printf("BENCH ideal-dp %s p=%d: %s; setup %.3f s vs %.3f s, placement %.4f s vs block-order DP"
                                + " over %d blocks %.4f s (time ratio %.2f); slowest stage %.0f ns vs %.0f ns (ratio %.4f)%n",
                        e.getKey(), p, placer.method(), newSetup, oldSetup, ourSeconds, oldBlocks.size(), oldSeconds,
                        ourSeconds / oldSeconds, ours, old, ours / old);
                if (placer.blocks().equals(oldBlocks)) {
                    assertThat(ours).isLessThanOrEqualTo(old);
                }
            }
        }
    }
}
