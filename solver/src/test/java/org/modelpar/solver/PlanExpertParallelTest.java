package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;

/**
 * A fixed expert-parallel degree (never searched) on Mixtral 8x7B, 4 DGX A100 nodes, pp=4 tp=2, so d = 4: the
 * plan keeps the degree, every stage's replicas are a multiple of it, and the experts' share makes each
 * device hold less than the same plan without expert parallelism; a degree that divides no data degree is bad input.
 */
class PlanExpertParallelTest {
    private static final ComputationGraph GRAPH = ModelZoo.build("mixtral-8x7b");
    private static final ClusterSpec CLUSTER = Clusters.resolve("dgx-a100:4");
    private static final PlanRequest FIXED = PlanRequest.of(64)
            .withDegrees(OptionalInt.of(4), OptionalInt.of(2), OptionalInt.empty(), OptionalInt.empty());

    @Test
    void aFixedExpertDegreeIsKeptAndShrinksTheExpertState() {
        PlacementPlan best = new Planner().plan(GRAPH, CLUSTER, FIXED.withSharding(OptionalInt.empty(), OptionalInt.of(4))).best().plan();
        assertThat(best.options().expertParallel()).isEqualTo(4);
        assertThat(best.options().zeroStage()).isZero();
        for (int s = 0; s < best.pipelineStages(); s++) {
            assertThat(best.dataParallel(s) % 4).isZero();
        }
        long with = peak(best);
        long without = peak(best.withOptions(best.options().withExpertParallel(1)));
        assertThat(with).isLessThan(without);
    }

    @Test
    void aDegreeThatDividesNoDataDegreeIsRefusedInOneLine() {
        assertThatThrownBy(() -> new Planner().plan(GRAPH, CLUSTER, FIXED.withSharding(OptionalInt.empty(), OptionalInt.of(3))))
                .isInstanceOf(PlanException.class)
                .hasMessage("--expert-parallel 3 cannot work on 32 devices of cluster 'dgx-a100:4': the data degree d must be"
                        + " a multiple of it, and d can be 1, 2, 4 here");
    }

    private static long peak(PlacementPlan plan) {
        return MemoryModel.perDevice(GRAPH, CLUSTER, plan).values().stream().mapToLong(m -> m.total()).max().orElseThrow();
    }
}
