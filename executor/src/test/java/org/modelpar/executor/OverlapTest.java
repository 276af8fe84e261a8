package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.StageModel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The data-parallel all-reduce overlapped with the last backward, in buckets, gives the parameters of the
 * all-reduce after the backward bit for bit with 2 replicas (a sum of two is the same in either order), and
 * those of single-device training within 1e-5, each run within the simulator's predicted peak memory; its span starts
 * before the last backward ends, and the optimizer step's after it ends.
 */
class OverlapTest {
    private static final int STEPS = 10;

    @ParameterizedTest(name = "{0}: {1} stages x {2} replicas, {3}")
    @CsvSource({"gpt, 2, 2, 1f1b", "gpt, 1, 2, gpipe", "mlp, 2, 2, 1f1b", "gpt, 2, 2, zb-h1"})
    void overlappedEqualsAfterTheBackwardBitForBit(String model, int stages, int replicas, String schedule) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        PlacementPlan plan = Plans.plan(graph, stages, replicas, 2, 2, Schedule.parse(schedule), OptimizerKind.SGD);
        PlacementPlan overlapped = plan.withOptions(plan.options().withOverlapGradientReduce(true));
        Map<String, INDArray> after = EquivalenceTest.train(graph, plan, ExecutorOptions.defaults(5, 0.05), STEPS);
        Map<String, INDArray> during = EquivalenceTest.train(graph, overlapped, ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(after, during)).isZero();
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), during)).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void interleavedAndTensorParallelOverlapMatchSingleDevice() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan interleaved = ScheduleEquivalenceTest.interleaved(graph, 2, 2, 2, 1);
        PlacementPlan tensor = Plans.tensorParallel(graph, 1, 2, 2, Schedule.GPIPE);
        for (PlacementPlan plan : List.of(interleaved, tensor)) {
            PlacementPlan overlapped = plan.withOptions(plan.options().withOverlapGradientReduce(true));
            assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph),
                    EquivalenceTest.train(graph, overlapped, ExecutorOptions.defaults(5, 0.05), STEPS))).isLessThanOrEqualTo(1e-5);
        }
    }

    /** The executor cuts each stage's gradients into as many buckets as the lowering prices rings for. */
    @ParameterizedTest(name = "{0}: {1} stages, at least {2} buckets a stage")
    @CsvSource({"gpt, 1, 2", "gpt, 2, 2", "mlp, 1, 1", "mlp, 2, 1"})
    void theExecutorRunsTheBucketsTheSimulatorPrices(String model, int stages, int least) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        PlacementPlan plan = Plans.plan(graph, stages, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan overlapped = plan.withOptions(plan.options().withOverlapGradientReduce(true));
        Boundary boundary = new Boundary(graph, overlapped);
        for (int s = 0; s < stages; s++) {
            StageModel stage = new StageModel(graph, boundary, s, overlapped.globalBatchSize());
            Map<String, INDArray> params = new java.util.HashMap<>();
            stage.parameters().forEach(p -> params.put(p.name(), Initializer.initialise(p, 1, DataType.FLOAT)));
            List<Map<String, INDArray>> groups = stage.gradientsCompletedBy().values().stream()
                    .map(names -> names.stream().collect(java.util.stream.Collectors.toMap(n -> n, params::get))).toList();
            int executed = new BucketedReduce("b", List.of("cpu0", "cpu1"), groups).buckets();
            int stageIndex = s;
            List<Integer> priced = Plans.lower(graph, overlapped).programs().stream()
                    .flatMap(p -> p.instructions().stream())
                    .filter(i -> i instanceof AllReduce a && a.overlapsBackward() && a.stage() == stageIndex)
                    .map(i -> ((AllReduce) i).buckets()).distinct().toList();
            assertThat(priced).containsExactly(executed);
            assertThat(executed).isGreaterThanOrEqualTo(least);
        }
    }

    @Test
    void theAllReduceSpanStartsBeforeTheLastBackwardEndsAndTheUpdateAfterItEnds() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plan = Plans.plan(graph, 1, 2, 2, 2, Schedule.GPIPE, OptimizerKind.SGD);
        PlacementPlan overlapped = plan.withOptions(plan.options().withOverlapGradientReduce(true));
        SyntheticTask task = SyntheticTask.forGraph(graph, 11);
        Timeline timeline;
        try (Executor ex = Executor.create(graph, Plans.lower(graph, overlapped), ExecutorOptions.defaults(5, 0.05))) {
            ex.step(task.batch(0, overlapped.globalBatchSize()));
            timeline = ex.timeline();
        }
        for (String device : List.of("cpu0", "cpu1")) {
            List<Span> spans = timeline.spans().stream().filter(s -> s.device().equals(device)).toList();
            Span reduce = spans.stream().filter(s -> s.instruction() instanceof AllReduce).findFirst().orElseThrow();
            Span lastBackward = spans.stream().filter(s -> s.instruction() instanceof Compute c && c.microBatch() == 1
                    && c.direction().releasesStash()).findFirst().orElseThrow();
            Span optimizer = spans.stream().filter(s -> s.instruction() instanceof OptimizerStep).findFirst().orElseThrow();
            assertThat(reduce.startSeconds()).isLessThanOrEqualTo(lastBackward.startSeconds());
            assertThat(reduce.endSeconds()).isGreaterThan(reduce.startSeconds());
            // the optimizer step's span is the update alone, after the wait for the last bucket (as simulated)
            assertThat(optimizer.startSeconds()).isGreaterThanOrEqualTo(reduce.endSeconds());
        }
    }
}
