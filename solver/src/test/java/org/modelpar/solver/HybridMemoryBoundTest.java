package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.solver.timefold.PlacementProblem;

/**
 * {@link StagePlacer#mayFitReplicated}: a hybrid of a configuration is placed only when its blocks fit on stages of
 * the most replicas one stage can have. Its premise checked block by block (memory never grows with a stage's
 * replicas, nor depends on which they are), and the bound against the replicated program itself on seeded
 * configurations of llama2-7b on two DGX A100 nodes at every ZeRO stage and three memory margins: wherever it says
 * no hybrid fits, the program finds none.
 */
class HybridMemoryBoundTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("llama2-7b");
    private static final ClusterSpec CLUSTER = Clusters.resolve("dgx-a100:2");

    @Test
    void blockMemoryNeverGrowsWithTheStageReplicas() {
        PlanRequest open = PlanRequest.of(64);
        StagePlacer placer = StagePlacer.of(GRAPH, open.maxBlocks());
        BlockProbe probe = new BlockProbe(GRAPH, CLUSTER, SimulationOptions.defaults().costModel(), placer.blocks());
        int compared = 0;
        for (int zero = 0; zero <= Planner.MOST_ZERO_STAGE; zero++) {
            PlanRequest request = open.withSharding(OptionalInt.of(zero), OptionalInt.empty());
            ProblemBuilder builder = new ProblemBuilder(CLUSTER, SimulationOptions.defaults().costModel(), placer.blocks(),
                    probe, request);
            for (Configuration c : sample(request, placer, 6, zero)) {
                int replicas = c.pipeline() * c.data();
                for (int fewer = 1; fewer < replicas; fewer++) {
                    for (int more = fewer + 1; more <= replicas; more++) {
                        if (c.microBatchSize() % fewer != 0 || c.microBatchSize() % more != 0) {
                            continue;
                        }
                        long[][] onFewer = memory(builder.buildOnReplicas(c, 0, fewer));
                        long[][] onMore = memory(builder.buildOnReplicas(c, 0, more));
                        assertThat(memory(builder.buildOnReplicas(c, replicas - more, more))).as("%s on the last %d replicas",
                                c.label(), more).isDeepEqualTo(onMore);
                        for (int b = 0; b < onFewer.length; b++) {
                            for (int s = 0; s < onFewer[b].length; s++) {
                                assertThat(onMore[b][s]).as("%s zero %d block %d stage %d on %d vs %d replicas", c.label(), zero,
                                        b, s, more, fewer).isLessThanOrEqualTo(onFewer[b][s]);
                            }
                        }
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(20);
    }

    @Test
    void noHybridFitsWhereTheBoundSaysSo() {
        int skipped = 0;
        int placed = 0;
        for (double margin : new double[] {0.05, 0.6, 0.85}) {
            PlanRequest open = PlanRequest.of(64).withMemoryMargin(margin);
            StagePlacer placer = StagePlacer.of(GRAPH, open.maxBlocks());
            BlockProbe probe = new BlockProbe(GRAPH, CLUSTER, SimulationOptions.defaults().costModel(), placer.blocks());
            for (int zero = 0; zero <= Planner.MOST_ZERO_STAGE; zero++) {
                PlanRequest request = open.withSharding(OptionalInt.of(zero), OptionalInt.empty());
                ProblemBuilder builder = new ProblemBuilder(CLUSTER, SimulationOptions.defaults().costModel(),
                        placer.blocks(), probe, request);
                for (Configuration c : sample(request, placer, 8, 31L * zero + Math.round(margin * 100))) {
                    boolean mayFit = placer.mayFitReplicated(c, builder);
                    boolean fits = placer.placeReplicated(c, builder, Double.POSITIVE_INFINITY).isPresent();
                    if (!mayFit) {
                        assertThat(fits).as("%s zero %d margin %.2f", c.label(), zero, margin).isFalse();
                    }
                    skipped += mayFit ? 0 : 1;
                    placed += fits ? 1 : 0;
                }
            }
        }
        assertThat(skipped).as("configurations the bound skips").isGreaterThan(20);
        assertThat(placed).as("configurations with a hybrid that fits").isGreaterThan(3);
    }

    /**
     * gpt2-medium on one DGX A100 with half of each GPU usable, pp=4 dp=2 and one micro-batch of 64 samples: no even
     * placement fits (32 samples per replica on the first stage), but the bound lets the hybrid through, and the
     * program finds one that fits, with more replicas where the activations are.
     */
    @Test
    void letsThroughAHybridThatFitsWhereTheEvenPlacementDoesNot() {
        ComputationGraph graph = ModelZoo.build("gpt2-medium");
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        PlanRequest request = PlanRequest.of(64).withMemoryMargin(0.5).withSharding(OptionalInt.of(0), OptionalInt.empty());
        StagePlacer placer = StagePlacer.of(graph, request.maxBlocks());
        ProblemBuilder builder = new ProblemBuilder(cluster, SimulationOptions.defaults().costModel(), placer.blocks(),
                new BlockProbe(graph, cluster, SimulationOptions.defaults().costModel(), placer.blocks()), request);
        Configuration c = new Configuration(4, 1, 2, 64, 1, Schedule.ONE_F_ONE_B, false);
        assertThat(placer.place(builder.build(c))).isEmpty();
        assertThat(placer.mayFitReplicated(c, builder)).isTrue();
        assertThat(placer.placeReplicated(c, builder, Double.POSITIVE_INFINITY)).hasValueSatisfying(r ->
                assertThat(r.replicasOfStage()).isNotEqualTo(new int[] {2, 2, 2, 2}));
    }

    /** {@code count} seeded configurations with a hybrid to seek (several stages and replicas, one device type). */
    private static List<Configuration> sample(PlanRequest request, StagePlacer placer, int count, long seed) {
        List<Configuration> hybrids = new java.util.ArrayList<>(ConfigurationSpace.enumerate(CLUSTER, request,
                placer.blocks().size()).stream().filter(c -> Hybrids.allowed(c, CLUSTER, request)).toList());
        java.util.Collections.shuffle(hybrids, new Random(seed));
        return hybrids.subList(0, Math.min(count, hybrids.size()));
    }

    private static long[][] memory(PlacementProblem problem) {
        return problem.blocks().stream().map(b -> b.memoryBytes().clone()).toArray(long[][]::new);
    }
}
