package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The schedules beyond GPipe and 1F1B change only where and when passes run: 10 steps of interleaved 1F1B
 * (several model chunks per device) and of ZB-H1 (every backward split into its input- and weight-gradient
 * passes) end with the parameters of single-device training (max abs difference <= 1e-5 in fp32).
 */
class ScheduleEquivalenceTest {
    private static final int STEPS = 10;

    @ParameterizedTest(name = "{0}: {1} device groups x {2} chunks, {3} replicas, tensor {4}")
    @CsvSource({"mlp, 2, 2, 1, 1", "gpt, 2, 2, 1, 1", "gpt, 2, 2, 2, 1", "gpt, 2, 2, 1, 2"})
    void interleavedMatchesSingleDevice(String model, int groups, int chunks, int replicas, int tensor) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        PlacementPlan plan = interleaved(graph, groups, chunks, replicas, tensor);
        assertThat(EquivalenceTest.maxDifference(reference(graph), EquivalenceTest.train(graph, plan,
                ExecutorOptions.defaults(5, 0.05), STEPS))).isLessThanOrEqualTo(1e-5);
    }

    /**
     * ZB-H1 on 2 and 4 stages and under tensor degree 2; the measured peak, with the output gradients each
     * input-gradient pass keeps for its weight-gradient pass, stays within the simulator's predicted one.
     */
    @ParameterizedTest(name = "{0}: {1} stages x tensor {2}, {3} micro-batches of {4}")
    @CsvSource({"mlp, 2, 1, 2, 2", "gpt, 2, 1, 2, 2", "gpt, 4, 1, 4, 1", "gpt, 2, 2, 2, 2"})
    void zeroBubbleMatchesSingleDevice(String model, int stages, int tensor, int microBatches, int microBatchSize) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        PlacementPlan even = Plans.plan(graph, stages, 1, microBatchSize, microBatches, Schedule.ZB_H1, OptimizerKind.SGD);
        PlacementPlan plan = tensor == 1 ? even : Plans.tensorParallel(graph, stages, tensor, 1, Schedule.ZB_H1);
        assertThat(EquivalenceTest.maxDifference(reference(graph), EquivalenceTest.train(graph, plan,
                ExecutorOptions.defaults(5, 0.05), STEPS))).isLessThanOrEqualTo(1e-5);
    }

    static Map<String, INDArray> reference(ComputationGraph graph) {
        return EquivalenceTest.train(graph, Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD),
                ExecutorOptions.defaults(5, 0.05), STEPS);
    }

    /** {@code groups x chunks} stages of equal op count; stage s on the devices of group {@code s mod groups}. */
    static PlacementPlan interleaved(ComputationGraph graph, int groups, int chunks, int replicas, int tensor) {
        PlacementPlan even = Plans.plan(graph, groups * chunks, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        List<Stage> stages = new ArrayList<>();
        for (Stage s : even.stages()) {
            int g = s.index() % groups;
            List<String> devices = new ArrayList<>();
            for (int k = 0; k < replicas * tensor; k++) {
                devices.add("cpu" + (g * replicas * tensor + k));
            }
            stages.add(new Stage(s.index(), devices, s.ops(), false));
        }
        return new PlacementPlan(even.graphName(), "", "local", "", even.precision(), even.optimizer(), even.globalBatchSize(),
                even.microBatchSize(), even.microBatches(), Schedule.INTERLEAVED, tensor, stages, PlanOptions.NONE, chunks);
    }
}
