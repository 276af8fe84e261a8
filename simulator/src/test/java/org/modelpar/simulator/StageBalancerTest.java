package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

class StageBalancerTest {
    @Test
    void splitMinimisesTheLargestRun() {
        assertThat(StageBalancer.split(new double[] {1, 1, 1, 1}, 2)).containsExactly(0, 2, 4);
        assertThat(StageBalancer.split(new double[] {5, 1, 1, 1, 1, 1}, 2)).containsExactly(0, 1, 6);
        assertThat(StageBalancer.split(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3)).containsExactly(0, 5, 7, 9);
        assertThat(StageBalancer.split(new double[] {0, 0, 0}, 3)).containsExactly(0, 1, 2, 3);
        assertThatThrownBy(() -> StageBalancer.split(new double[] {1}, 2)).isInstanceOf(PlanException.class);
    }

    @Test
    void planLaysOutTensorThenDataThenPipeline() {
        ComputationGraph g = Fixtures.chain(8, 1, 2, 0, 4, 4);
        ClusterSpec c = Fixtures.freeCluster(8);
        ParallelConfig config = new ParallelConfig(2, 2, 2, 4, 1, Schedule.ONE_F_ONE_B, true, Precision.BF16, OptimizerKind.ADAM);
        PlacementPlan plan = StageBalancer.plan(g, c, config, new RooflineCostModel());
        assertThat(plan.stages().get(0).ops()).containsExactly("op0", "op1", "op2", "op3");
        assertThat(plan.stages().get(1).devices()).containsExactly("n0g4", "n0g5", "n0g6", "n0g7");
        assertThat(plan.microBatchSize()).isEqualTo(2);
        assertThat(plan.globalBatchSize()).isEqualTo(8);
        assertThat(plan.stages()).allMatch(s -> s.recompute());
        assertThatThrownBy(() -> StageBalancer.plan(g, Fixtures.freeCluster(4), config, new RooflineCostModel()))
                .hasMessage("pp 2 x tp 2 x dp 2 needs 8 devices, cluster 'test' has 4");
        assertThat(Simulator.simulate(g, c, plan).stepSeconds()).isPositive();
        assertThat(List.of(plan.dataParallel(0), plan.dataParallel(1))).containsExactly(2, 2);
    }
}
