package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * The modern dimensions of the search on gpt2-large, one DGX-1 (8 V100 32 GB), batch 64, with a memory
 * margin that leaves a fraction of each GPU: recompute mode per stage, sequence parallelism, gradient-reduce
 * overlap, and the explanation of which dimension decided.
 */
class PlanDimensionsTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("gpt2-large");
    private static final ClusterSpec CLUSTER = Clusters.resolve("dgx-v100");

    /**
     * pp=2 tp=1 1F1B with 34% of each GPU usable (10.88 GiB), ZeRO fixed off: without recomputation stage 1 is 0.29 GiB over, so the
     * search recomputes; each stage takes the lightest mode that fits: selective on stage 0, none on stage 1.
     */
    @Test
    void eachStageTakesTheLightestRecomputeModeThatFits() {
        PlanRequest request = PlanRequest.of(64).withMemoryMargin(0.66).withSharding(OptionalInt.of(0), OptionalInt.of(1))
                .withSchedule(Optional.of(Schedule.ONE_F_ONE_B)).withDegrees(OptionalInt.of(2), OptionalInt.of(1), OptionalInt.empty(), OptionalInt.empty());
        PlanResult r = new Planner().plan(GRAPH, CLUSTER, request);
        PlacementPlan best = r.best().plan();
        assertThat(best.stages()).extracting(Stage::recomputation).containsExactly(Recompute.SELECTIVE, Recompute.NONE);
        // one mode lighter on stage 0 does not fit capacity minus the margin
        assertThat(fits(withMode(best, 0, Recompute.NONE), request)).isFalse();
        assertThat(fits(best, request)).isTrue();
        assertThat(r.best().explanation().lines().get(0)).contains("recompute selective+none");
    }

    /**
     * Free degrees, 40% of each GPU usable: the winner (tensor degree above 1) runs overlapped gradient reduction;
     * whether it runs sequence parallelism (priced as Megatron-LM runs it: one gather of a row-parallel linear's output
     * gradient, the layer norms' gradients all-reduced once per step) is a near tie on this cluster (within 0.1% of the
     * step either way when this was written), so the test does not fix it: the same placement the other way was
     * simulated, and the explanation says what it costs.
     */
    @Test
    void sequenceParallelismAndOverlapAreSearchedAndExplained() {
        PlanResult r = new Planner().plan(GRAPH, CLUSTER, PlanRequest.of(64).withMemoryMargin(0.6));
        PlanOptions options = r.best().plan().options();
        assertThat(r.best().plan().tensorParallel()).isGreaterThan(1);
        assertThat(options.overlapGradientReduce()).isTrue();
        String decided = r.best().explanation().lines().stream().filter(l -> l.startsWith("decided by: ")).findFirst().orElseThrow();
        assertThat(decided).contains("changing one dimension alone costs:").containsPattern("sequence parallelism \\d+\\.\\d%");
    }

    @Test
    void fixedPlanOptionsAreKept() {
        PlanResult r = new Planner().plan(GRAPH, CLUSTER, PlanRequest.of(64).withMemoryMargin(0.6)
                .withPlanOptions(Optional.of(false), Optional.of(false)).withSharding(OptionalInt.of(0), OptionalInt.of(1)));
        assertThat(r.best().plan().options()).isEqualTo(PlanOptions.NONE);
        assertThat(r.best().explanation().lines()).noneMatch(l -> l.contains("sequence parallelism")
                || l.contains("gradient-reduce overlap"));
    }

    private static PlacementPlan withMode(PlacementPlan p, int stage, Recompute mode) {
        List<Stage> stages = new ArrayList<>(p.stages());
        stages.set(stage, stages.get(stage).withRecomputation(mode));
        return new PlacementPlan(p.graphName(), p.graphHash(), p.clusterName(), p.clusterHash(), p.precision(), p.optimizer(),
                p.globalBatchSize(), p.microBatchSize(), p.microBatches(), p.schedule(), p.tensorParallel(), stages, p.options());
    }

    private static boolean fits(PlacementPlan plan, PlanRequest request) {
        return MemoryModel.perDevice(GRAPH, CLUSTER, plan).entrySet().stream().allMatch(e ->
                e.getValue().total() <= request.usableBytes(CLUSTER.device(e.getKey()).orElseThrow().profile().memoryBytes()));
    }
}
