package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphReader;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;

/**
 * PipeDream's hybrid plans through the planner: VGG-16 (PipeDream's profile) on 4 A100s (80 GB) joined by 1 GB/s
 * links, two pipeline stages. The classifier holds most parameters, so replicating it costs a large
 * all-reduce; PipeDream's optimizer puts the convolutions on 3 replicas and the classifier on 1
 * ({@code vgg16 n4_1GBps_nocomm}: replicas 3-1).
 */
class HybridReplicationTest {
    @Test
    void vggConvolutionsOnThreeReplicasClassifierOnOne() throws Exception {
        ComputationGraph graph = GraphReader.read(PipeDreamOptimalityTest.data().resolve("pipedream/vgg16.graph.txt"),
                GraphFormat.PIPEDREAM);
        PlanRequest request = PlanRequest.of(6).withPrecision(Precision.FP32, OptimizerKind.SGD)
                .withDegrees(OptionalInt.of(2), OptionalInt.of(1), OptionalInt.empty(), OptionalInt.of(1));
        ClusterSpec cluster = PipeDreamOptimalityTest.oneNode("slow-a100-4", 4, "a100-sxm4-80gb", new LinkProfile(1e9, 0));
        PlanResult r = new Planner().plan(graph, cluster, request);
        assertThat(r.best().plan().stages()).extracting(s -> s.devices().size()).containsExactly(3, 1);
        assertThat(r.best().explanation().lines().get(0)).contains("replicas 3+1");
        // the even split lost without a simulation: its classifier's all-reduce over 2 replicas alone outlasts the hybrid's step
        assertThat(r.best().explanation().lines()).contains(String.format("pruned: pp=2 tp=1 dp=2 mb=6 m=1 1f1b"
                + " overlap-grad-reduce: lower bound 0.5465 s ≥ best %.4f s (its data-parallel collectives through the busiest"
                + " port at full bandwidth)", r.report().stepSeconds()));
    }

    /**
     * Without a fixed micro-batch count, on a batch of 12: the power-of-two sizes (2, 4, 8 samples over 2
     * replicas) admit only even counts, so the search also tries 6 samples (2 micro-batches), which 3 and 1
     * divide, and places the 3+1 hybrid there (simulated; here 6 micro-batches of 2 samples on 2+2 fill the
     * pipeline better and win); every plan it returns has replica counts dividing its micro-batch.
     */
    @Test
    void searchTriesAMicroBatchThatUnevenReplicasDivide() throws Exception {
        ComputationGraph graph = GraphReader.read(PipeDreamOptimalityTest.data().resolve("pipedream/vgg16.graph.txt"),
                GraphFormat.PIPEDREAM);
        PlanRequest request = PlanRequest.of(12).withPrecision(Precision.FP32, OptimizerKind.SGD)
                .withDegrees(OptionalInt.of(2), OptionalInt.of(1), OptionalInt.empty(), OptionalInt.empty());
        ClusterSpec cluster = PipeDreamOptimalityTest.oneNode("slow-a100-4", 4, "a100-sxm4-80gb", new LinkProfile(1e9, 0));
        PlanResult r = new Planner().plan(graph, cluster, request);
        assertThat(r.best().explanation().runnerUps()).anySatisfy(u -> assertThat(u.configuration()).contains("mb=6 m=2")
                .contains("replicas 3+1"));
        PlacementPlan best = r.best().plan();
        for (PlacementPlan plan : java.util.stream.Stream.concat(java.util.stream.Stream.of(best),
                r.runnerUps().stream().map(f -> f.plan())).toList()) {
            for (int s = 0; s < plan.pipelineStages(); s++) {
                assertThat(plan.microBatchSize() % plan.dataParallel(s)).isZero();
            }
        }
    }
}
