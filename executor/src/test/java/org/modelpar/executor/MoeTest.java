package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mixture-of-experts preset {@code moe-tiny} (router, 4 experts, top-2, capacity factor 1.25) trains on one
 * device, and pipeline and data parallelism (experts replicated) end with its parameters within 1e-5 in fp32, each
 * plan's measured peak within the simulator's ({@link EquivalenceTest#train}).
 */
class MoeTest {
    private static final int STEPS = 6;
    private static final ComputationGraph GRAPH = ModelZoo.build("moe-tiny");
    private static final ExecutorOptions OPTIONS = ExecutorOptions.defaults(5, 0.05);
    private static Map<String, INDArray> reference;

    @Test
    void lossDecreasesOnOneDevice() {
        PlacementPlan plan = Plans.plan(GRAPH, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.ADAM);
        SyntheticTask task = SyntheticTask.forGraph(GRAPH, 11);
        try (Executor ex = Executor.create(GRAPH, Plans.lower(GRAPH, plan), ExecutorOptions.defaults(5, 3e-3))) {
            double first = ex.step(task.batch(0, plan.globalBatchSize())).loss();
            double last = first;
            for (int s = 1; s < 40; s++) {
                last = ex.step(task.batch(s, plan.globalBatchSize())).loss();
            }
            assertThat(last).isLessThan(0.8 * first);
        }
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(2, 1, Schedule.ONE_F_ONE_B, Recompute.NONE),
                Arguments.of(1, 2, Schedule.GPIPE, Recompute.NONE),
                Arguments.of(2, 2, Schedule.ONE_F_ONE_B, Recompute.NONE),
                Arguments.of(2, 1, Schedule.GPIPE, Recompute.FULL));
    }

    @ParameterizedTest(name = "{0} stages x {1} replicas, {2}, recompute {3}")
    @MethodSource("layouts")
    void matchesSingleDevice(int stages, int replicas, Schedule schedule, Recompute recompute) {
        PlacementPlan plan = Plans.plan(GRAPH, stages, replicas, 2, 2, schedule, OptimizerKind.SGD).withRecomputation(recompute);
        assertThat(EquivalenceTest.maxDifference(reference(), EquivalenceTest.train(GRAPH, plan, OPTIONS, STEPS)))
                .isLessThanOrEqualTo(1e-5);
    }

    private static synchronized Map<String, INDArray> reference() {
        if (reference == null) {
            reference = EquivalenceTest.train(GRAPH, Plans.plan(GRAPH, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD), OPTIONS, STEPS);
        }
        return reference;
    }
}
