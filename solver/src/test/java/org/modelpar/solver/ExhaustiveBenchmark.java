package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.PlacementProblem;

/**
 * Small cases: the planner's step time divided by the best simulated step over every configuration of the
 * space (each placed by the chain DP and simulated, no pruning, no ranking). 1.000 means the search found
 * the simulated optimum.
 */
@Tag("slow")
class ExhaustiveBenchmark {
    @ParameterizedTest
    @CsvSource({"gpt2-medium,dgx-a100,64", "gpt2-large,dgx-a100:2,64", "bert-large,dgx-v100,32"})
    void plannerVsExhaustive(String model, String clusterName, int batch) {
        ComputationGraph g = ModelZoo.build(model);
        ClusterSpec cluster = Clusters.resolve(clusterName);
        PlanRequest request = PlanRequest.of(batch);
        long start = System.nanoTime();
        PlanResult planned = new Planner().plan(g, cluster, request);
        double plannerSeconds = (System.nanoTime() - start) * 1e-9;
        StagePlacer placer = StagePlacer.of(g, request.maxBlocks());
        BlockSet blocks = placer.blocks();
        RooflineCostModel cost = new RooflineCostModel();
        ProblemBuilder builder = new ProblemBuilder(cluster, cost, blocks, new BlockProbe(g, cluster, cost, blocks), request);
        CandidateBuilder candidates = new CandidateBuilder(g, cluster, cost, blocks, builder, request, 0);
        List<Configuration> all = ConfigurationSpace.enumerate(cluster, request, blocks.size());
        double best = Double.POSITIVE_INFINITY;
        String bestLabel = "";
        start = System.nanoTime();
        
        for (Configuration c : all) {
            PlacementProblem problem = builder.build(c);
            Optional<IdealPartitioner.Result> dp = placer.place(problem);
            if (dp.isEmpty()) {
                continue;
            }
            Candidate cand = candidates.place(new Estimate(c, problem, dp.get(), 0), false);
            if (cand.fits() && cand.stepSeconds() < best) {
                best = cand.stepSeconds();
                bestLabel = c.label();
            }
        }
        double exhaustiveSeconds = (System.nanoTime() - start) * 1e-9;
        double ratio = planned.report().stepSeconds() / best;
        System.out.printf("BENCH exhaustive %s on %s batch %d: planner %.4f s step in %.1f s; exhaustive best %.4f s"
                        + " (%s) over %d configurations in %.1f s; ratio %.4f%n", model, clusterName, batch,
                planned.report().stepSeconds(), plannerSeconds, best, bestLabel, all.size(), exhaustiveSeconds, ratio);
        assertThat(ratio).isLessThan(1.10);
    }
}
