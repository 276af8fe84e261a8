package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Megatron-LM tensor parallelism changes where the arithmetic runs, never the result: 10 steps with tensor
 * degree 2 and 4, alone and with pipeline and data parallelism, end with the parameters of single-device
 * training (max abs difference <= 1e-5 in fp32), and the whole parameters put together from the ranks' parts.
 */
class TensorParallelTest {
    private static final int STEPS = 10;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(1, 2, 1, Schedule.GPIPE),
                Arguments.of(1, 4, 1, Schedule.GPIPE),
                Arguments.of(2, 2, 1, Schedule.ONE_F_ONE_B),
                Arguments.of(1, 2, 2, Schedule.GPIPE),
                Arguments.of(2, 2, 2, Schedule.ONE_F_ONE_B));
    }

    @ParameterizedTest(name = "gpt on {0} stages x tensor {1} x {2} replicas, {3}")
    @MethodSource("layouts")
    void matchesSingleDevice(int stages, int tensor, int replicas, Schedule schedule) {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        Map<String, INDArray> reference = EquivalenceTest.train(graph,
                Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD), ExecutorOptions.defaults(5, 0.05), STEPS);
        Map<String, INDArray> split = EquivalenceTest.train(graph, Plans.tensorParallel(graph, stages, tensor, replicas, schedule),
                ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(reference, split)).isLessThanOrEqualTo(1e-5);
    }

    /** Whole tensors out (parameters and Adam's moments put together from the parts), parts back in: a resume is exact. */
    @Test
    void restoresWholeTensorsIntoTheRanksParts() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan base = Plans.tensorParallel(graph, 2, 2, 1, Schedule.ONE_F_ONE_B);
        PlacementPlan plan = new PlacementPlan(base.graphName(), "", "local", "", base.precision(), OptimizerKind.ADAM,
                base.globalBatchSize(), base.microBatchSize(), base.microBatches(), base.schedule(), 2, base.stages());
        SyntheticTask task = SyntheticTask.forGraph(graph, 11);
        ExecutorOptions options = ExecutorOptions.defaults(5, 1e-2);
        Map<String, INDArray> uninterrupted;
        Map<String, INDArray> params = Map.of();
        Map<String, INDArray> moments = Map.of();
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), options)) {
            for (int s = 0; s < 4; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
                if (s == 1) {
                    params = ex.parameters();
                    moments = ex.optimizerState();
                }
            }
            uninterrupted = ex.parameters();
        }
        assertThat(params.get("embed.word").shape()).containsExactly(16, 64);
        assertThat(moments).containsKey("block0.qkv.weight/m");
        try (Executor resumed = Executor.create(graph, Plans.lower(graph, plan), options)) {
            resumed.restore(params, moments, 2);
            for (int s = 2; s < 4; s++) {
                resumed.step(task.batch(s, plan.globalBatchSize()));
            }
            assertThat(EquivalenceTest.maxDifference(uninterrupted, resumed.parameters())).isZero();
        }
    }

    @Test
    void refusesWhatItCannotSplit() {
        ComputationGraph mlp = EquivalenceTest.graph("mlp");
        assertThatThrownBy(() -> Executor.create(mlp, Plans.lower(mlp, Plans.tensorParallel(mlp, 1, 2, 1, Schedule.GPIPE)),
                ExecutorOptions.defaults(5, 0.05))).isInstanceOf(PlanException.class)
                .hasMessageContaining("has no attention ops");
        ComputationGraph odd = ModelZoo.build("gpt:layers=1,hidden=12,heads=3,seq=4,vocab=8");
        assertThatThrownBy(() -> Executor.create(odd, Plans.lower(odd, Plans.tensorParallel(odd, 1, 2, 1, Schedule.GPIPE)),
                ExecutorOptions.defaults(5, 0.05))).isInstanceOf(PlanException.class)
                .hasMessageContaining("tensor degree 2 does not divide heads 3");
        assertThat(PlanSupport.runsTensorDegree(odd, 2)).isFalse();
        assertThat(PlanSupport.runsTensorDegree(EquivalenceTest.graph("gpt"), 4)).isTrue();
    }
}
