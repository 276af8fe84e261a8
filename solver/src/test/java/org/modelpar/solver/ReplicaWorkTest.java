package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.solver.partition.Ideals;
import org.modelpar.solver.partition.ReplicaPartitioner;
import org.modelpar.solver.timefold.SplitCost;

/**
 * {@link ReplicaWork}, the time bound of hybrid placements, on seeded random layered DAGs (few enough ideals for the
 * exact program) on two DGX A100 nodes: its premise (a stage on r replicas takes at least its blocks' work / r) checked
 * on every nested pair of ideals, the bound at most the optimum, and the bounded program placing exactly as the
 * unbounded one at every bound it is given, ties included.
 */
class ReplicaWorkTest {
    private static final ClusterSpec CLUSTER = Clusters.resolve("dgx-a100:2");
    private static final CostModel COST = SimulationOptions.defaults().costModel();

    @Test
    void aStageOnRReplicasTakesAtLeastItsBlocksWorkOverR() {
        int checked = 0;
        for (long seed = 1; seed <= 2; seed++) {
            Search search = new Search(RandomDags.layered(seed, 5, 2), PlanRequest.of(64), seed);
            Ideals ideals = search.placer.ideals();
            for (Configuration c : search.configurations(3)) {
                ReplicaWork work = ReplicaWork.of(c, search.builder, ideals);
                int replicas = c.pipeline() * c.data();
                for (int r = 1; r <= replicas - (c.pipeline() - 1); r++) {
                    if (c.microBatchSize() % r != 0) {
                        continue;
                    }
                    for (int first : new int[] {0, replicas - r}) {
                        SplitCost cost = new SplitCost(search.builder.buildOnReplicas(c, first, r), ideals);
                        for (int outer = 1; outer < ideals.count(); outer++) {
                            for (int inner = 0; inner < outer; inner++) {
                                if (!ideals.nested(inner, outer)) {
                                    continue;
                                }
                                for (int s = 0; s < c.pipeline(); s++) {
                                    assertThat(r * cost.of(s, inner, outer)).as("%s stage %d on %d replicas from %d, ideals %d..%d",
                                            c.label(), s, r, first, inner, outer).isGreaterThanOrEqualTo(work.of(outer) - work.of(inner));
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(10_000);
    }

    @Test
    void boundedProgramPlacesAsTheUnboundedOneAtEveryBound() {
        int placements = 0;
        int beaten = 0;
        for (long seed = 3; seed <= 6; seed++) {
            Search search = new Search(RandomDags.layered(seed, 4 + (int) seed % 3, 2 + (int) seed % 2), PlanRequest.of(64), seed);
            for (Configuration c : search.configurations(6)) {
                ReplicaWork work = ReplicaWork.of(c, search.builder, search.placer.ideals());
                Optional<ReplicaPartitioner.Result> optimum = search.placer.placeReplicated(c, search.builder, Double.POSITIVE_INFINITY);
                double best = optimum.map(ReplicaPartitioner.Result::bottleneck).orElse(Double.POSITIVE_INFINITY);
                assertThat(work.leastBottleneckNanos()).as(c.label()).isLessThanOrEqualTo(best);
                for (double below : new double[] {Double.POSITIVE_INFINITY, best * 1.3, best * 1.02, Math.nextUp(best), best,
                        (best + work.leastBottleneckNanos()) / 2, work.leastBottleneckNanos()}) {
                    Optional<ReplicaPartitioner.Result> unbounded = search.placer.placeReplicated(c, search.builder, below);
                    Optional<ReplicaPartitioner.Result> bounded = search.placer.placeReplicated(c, search.builder, below, work);
                    assertThat(bounded.map(ReplicaWorkTest::words)).as("%s below %.1f", c.label(), below)
                            .isEqualTo(unbounded.map(ReplicaWorkTest::words));
                    placements += bounded.isPresent() ? 1 : 0;
                }
                beaten += work.leastBottleneckNanos() >= best * 0.9 ? 1 : 0;
            }
        }
        assertThat(placements).as("placements found").isGreaterThan(40);
        assertThat(beaten).as("configurations whose bound is within 10% of the optimum").isGreaterThan(3);
    }

    /** A placement as words (arrays compare by content). */
    private static String words(ReplicaPartitioner.Result r) {
        return Arrays.toString(r.stageOfBlock()) + " " + Arrays.toString(r.replicasOfStage()) + " " + r.bottleneck();
    }

    /** The placer and problem builder of one search, and seeded configurations with a hybrid to seek. */
    private static final class Search {
        final StagePlacer placer;
        final ProblemBuilder builder;
        final PlanRequest request;
        final long seed;

        Search(ComputationGraph graph, PlanRequest open, long seed) {
            this.request = open.withSharding(OptionalInt.of(0), OptionalInt.empty());
            this.placer = StagePlacer.of(graph, request.maxBlocks());
            this.builder = new ProblemBuilder(CLUSTER, COST, placer.blocks(), new BlockProbe(graph, CLUSTER, COST, placer.blocks()),
                    request);
            this.seed = seed;
            assertThat(placer.method()).startsWith("exact");
        }

        List<Configuration> configurations(int count) {
            List<Configuration> hybrids = new ArrayList<>(ConfigurationSpace.enumerate(CLUSTER, request, placer.blocks().size())
                    .stream().filter(c -> Hybrids.allowed(c, CLUSTER, request) && placer.replicates(c)).toList());
            Collections.shuffle(hybrids, new Random(seed));
            return hybrids.subList(0, Math.min(count, hybrids.size()));
        }
    }
}
