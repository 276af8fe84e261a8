package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pipeline and data parallelism change where and in which order work runs, never the result: 10 steps on
 * 1, 2 and 4 devices, GPipe and 1F1B, with 2 data-parallel replicas, end with the parameters of
 * single-device training on the same data and seed (max abs difference <= 1e-5 in fp32).
 */
class EquivalenceTest {
    private static final int STEPS = 10;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("mlp", 1, 1, Schedule.GPIPE),
                Arguments.of("mlp", 2, 1, Schedule.GPIPE),
                Arguments.of("mlp", 2, 1, Schedule.ONE_F_ONE_B),
                Arguments.of("mlp", 4, 1, Schedule.ONE_F_ONE_B),
                Arguments.of("mlp", 2, 2, Schedule.GPIPE),
                Arguments.of("mlp", 1, 2, Schedule.ONE_F_ONE_B),
                Arguments.of("gpt", 1, 1, Schedule.GPIPE),
                Arguments.of("gpt", 2, 1, Schedule.GPIPE),
                Arguments.of("gpt", 2, 1, Schedule.ONE_F_ONE_B),
                Arguments.of("gpt", 4, 1, Schedule.GPIPE),
                Arguments.of("gpt", 4, 1, Schedule.ONE_F_ONE_B),
                Arguments.of("gpt", 2, 2, Schedule.ONE_F_ONE_B));
    }

    @ParameterizedTest(name = "{0} on {1} stages x {2} replicas, {3}")
    @MethodSource("layouts")
    void matchesSingleDevice(String model, int stages, int replicas, Schedule schedule) {
        ComputationGraph graph = model.equals("mlp") ? TestGraphs.mlp(3, 16) : TestGraphs.gpt(4, 64, 4, 32, 16);
        OptimizerKind optimizer = OptimizerKind.SGD;
        double lr = 0.05;
        Map<String, INDArray> reference = train(graph, Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, optimizer), lr);
        Map<String, INDArray> split = train(graph, Plans.plan(graph, stages, replicas, 2, 2, schedule, optimizer), lr);
        assertThat(split.keySet()).isEqualTo(reference.keySet());
        double maxDiff = 0;
        for (String k : reference.keySet()) {
            maxDiff = Math.max(maxDiff, reference.get(k).sub(split.get(k)).amaxNumber().doubleValue());
        }
        assertThat(maxDiff).isLessThanOrEqualTo(1e-5);
        assertThat(reference.get(model.equals("mlp") ? "fc0.weight" : "embed.word").sumNumber().doubleValue()).isFinite();
    }

    static Map<String, INDArray> train(ComputationGraph graph, PlacementPlan plan, double lr) {
        SyntheticTask task = SyntheticTask.forGraph(graph, 11);
        try (Executor ex = Executor.create(graph, TestPrograms.lower(plan), ExecutorOptions.defaults(5, lr))) {
            for (int s = 0; s < STEPS; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
            }
            return ex.parameters();
        }
    }
}
