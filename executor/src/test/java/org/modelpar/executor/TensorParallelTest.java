package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.TensorCollective;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;
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
        assertMatchesSingleDevice(EquivalenceTest.graph("gpt"), stages, tensor, replicas, schedule);
    }

    /**
     * An MLP split pair by pair (column-parallel, ReLU on split values, row-parallel): the 4-linear mlp (two pairs), with
     * its first stage ending inside a pair (a split output sent to the next stage), and the 3-linear mlp, whose last
     * linear every rank repeats whole.
     */
    @ParameterizedTest(name = "{0} on {1} stages x tensor {2} x {3} replicas, {4}")
    @MethodSource("mlpLayouts")
    void anMlpMatchesSingleDevice(String model, int stages, int tensor, int replicas, Schedule schedule) {
        assertMatchesSingleDevice(ModelZoo.build(model), stages, tensor, replicas, schedule);
    }

    /**
     * The 4-linear mlp cut between its pairs (the first pair's output, whole on every rank, crosses) with its messages
     * scattered over the tensor ranks: with no sequence, each rank sends its part of the micro-batch's samples (2 of them
     * over tp2); tp4 does not divide them, and is refused.
     */
    @Test
    void anMlpScattersItsMessagesBySamples() {
        ComputationGraph graph = ModelZoo.build("mlp:layers=3,width=16");
        PlacementPlan plan = Plans.tensorParallel(graph, 2, 2, 1, Schedule.ONE_F_ONE_B);
        Map<String, INDArray> split = EquivalenceTest.train(graph, plan.withOptions(plan.options().withScatterGather(true)),
                ExecutorOptions.defaults(5, 0.05), STEPS);
        Map<String, INDArray> reference = EquivalenceTest.train(graph,
                Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD), ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(reference, split)).isLessThanOrEqualTo(1e-5);
        PlacementPlan four = Plans.tensorParallel(graph, 2, 4, 1, Schedule.ONE_F_ONE_B);
        PlacementPlan scattered = four.withOptions(four.options().withScatterGather(true));
        assertThatThrownBy(() -> Executor.create(graph, Plans.lower(graph, scattered), ExecutorOptions.defaults(5, 0.05)))
                .isInstanceOf(PlanException.class).hasMessage("the executor scatters the pipeline messages of graph"
                        + " 'mlp:layers=3,width=16' (no sequence) over the tensor ranks by samples; tensor degree 4 does not divide"
                        + " the 2 samples a replica of stage 0 computes at once");
    }

    static Stream<Arguments> mlpLayouts() {
        String pairs = "mlp:layers=3,width=16";
        return Stream.of(
                Arguments.of(pairs, 1, 2, 1, Schedule.GPIPE),
                Arguments.of(pairs, 1, 4, 1, Schedule.GPIPE),
                Arguments.of(pairs, 2, 2, 1, Schedule.ONE_F_ONE_B),
                Arguments.of(pairs, 3, 2, 1, Schedule.ONE_F_ONE_B),
                Arguments.of(pairs, 2, 2, 2, Schedule.ONE_F_ONE_B),
                Arguments.of("mlp:layers=2,width=16", 1, 2, 2, Schedule.GPIPE));
    }

    private static void assertMatchesSingleDevice(ComputationGraph graph, int stages, int tensor, int replicas, Schedule schedule) {
        Map<String, INDArray> reference = EquivalenceTest.train(graph,
                Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD), ExecutorOptions.defaults(5, 0.05), STEPS);
        Map<String, INDArray> split = EquivalenceTest.train(graph, Plans.tensorParallel(graph, stages, tensor, replicas, schedule),
                ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(reference, split)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * The loss on a stage of its own: each rank of the logits' stage sends its own logit columns to the same rank of the
     * loss's stage (the vocabulary-parallel loss reads its rank's part), with pipeline messages whole or scattered.
     */
    @ParameterizedTest(name = "scatter/gather {0}")
    @ValueSource(booleans = {false, true})
    void theLossOnAStageOfItsOwnReadsItsRanksLogitColumns(boolean scatterGather) {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        List<String> ids = graph.topologicalOrder().stream().map(OpNode::id).toList();
        int loss = ids.size() - 1;
        PlacementPlan plan = new PlacementPlan(graph.name(), "", "local", "", Precision.FP32, OptimizerKind.SGD, 4, 2, 2,
                Schedule.ONE_F_ONE_B, 2, List.of(new Stage(0, List.of("cpu0", "cpu1"), ids.subList(0, loss), false),
                new Stage(1, List.of("cpu2", "cpu3"), ids.subList(loss, ids.size()), false)));
        Map<String, INDArray> split = EquivalenceTest.train(graph, plan.withOptions(plan.options().withScatterGather(scatterGather)),
                ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), split)).isLessThanOrEqualTo(1e-5);
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
        // a layer norm in place of the first ReLU: no attention, and an op with parameters that is not a linear
        ComputationGraph normed = mlp.derived("normed", mlp.measuredBatchSize(), mlp.ops().stream()
                .map(op -> op.id().equals("relu0") ? new OpNode("relu0", "relu0", "layernorm", op.layer(), 0, 0, 128,
                        op.activationBytes(), 0, Map.of(), Map.of("hidden", "16")) : op).toList(), mlp.tensors());
        assertThatThrownBy(() -> Executor.create(normed, Plans.lower(normed, Plans.tensorParallel(normed, 1, 2, 1, Schedule.GPIPE)),
                ExecutorOptions.defaults(5, 0.05))).isInstanceOf(PlanException.class)
                .hasMessageContaining("graph 'normed' has no attention ops and op 'relu0' of kind layernorm has parameters and is not"
                        + " a linear with in and out (plan it with tensor degree 1)");
        assertThat(PlanSupport.runsTensorDegree(mlp, 2)).isTrue();
        ComputationGraph odd = ModelZoo.build("gpt:layers=1,hidden=12,heads=3,seq=4,vocab=8");
        assertThatThrownBy(() -> Executor.create(odd, Plans.lower(odd, Plans.tensorParallel(odd, 1, 2, 1, Schedule.GPIPE)),
                ExecutorOptions.defaults(5, 0.05))).isInstanceOf(PlanException.class)
                .hasMessageContaining("tensor degree 2 does not divide heads 3");
        assertThat(PlanSupport.runsTensorDegree(odd, 2)).isFalse();
        assertThat(PlanSupport.runsTensorDegree(EquivalenceTest.graph("gpt"), 4)).isTrue();
    }

    /**
     * The tensor-parallel collectives of a pass are recorded as the program's {@code TensorCollective}, not inside the
     * compute that called them: on a clock that advances 1 us per reading (each device its own), a collective reads
     * it twice, so every collective span lasts exactly as many microseconds as its pass ran collectives, and starts
     * where its compute's span ends. The 2-layer gpt cut in two after layer 1's first layer norm: stage 0 forward
     * sums the embedding lookups and layer 0's attention and MLP outputs (3), its backward the input gradients of
     * layer 0's QKV and MLP-up projections (2); stage 1 forward layer 1's two outputs and the vocabulary-parallel loss's
     * row maxima and sums (4),
     * backward sums the input gradients of layer 1's two column-parallel projections and of the logits (3). The
     * 4-linear mlp cut after its first pair: stage 0 forward sums the first pair's output (1), its backward nothing (the
     * first linear reads the model's input); stage 1 forward sums the second pair's output (1), its backward the input
     * gradient of the second pair's column-parallel linear (1). The simulator's lowering predicts the same counts on each
     * {@code TensorCollective}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("collectiveCounts")
    void collectivesHaveTheirOwnSpans(String model, Map<String, Long> expected) {
        ComputationGraph graph = ModelZoo.build(model);
        PlacementPlan plan = Plans.tensorParallel(graph, 2, 2, 1, Schedule.ONE_F_ONE_B);
        ThreadLocal<long[]> clock = ThreadLocal.withInitial(() -> new long[1]);
        Ticker microsPerReading = () -> clock.get()[0] += 1000;
        Timeline timeline;
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 0.1).withTicker(microsPerReading))) {
            ex.step(SyntheticTask.forGraph(graph, 1).batch(0, plan.globalBatchSize()));
            timeline = ex.timeline();
        }
        int checked = 0;
        for (String device : plan.devices()) {
            List<Span> spans = timeline.spansOf(device);
            for (int i = 1; i < spans.size(); i++) {
                if (spans.get(i).instruction() instanceof TensorCollective tc) {
                    Span compute = spans.get(i - 1);
                    assertThat(compute.instruction()).isInstanceOf(Compute.class);
                    assertThat(spans.get(i).startSeconds()).isEqualTo(compute.endSeconds());
                    assertThat(Math.round((spans.get(i).endSeconds() - spans.get(i).startSeconds()) * 1e6)).as("%s %s", device, tc.name())
                            .isEqualTo(expected.get(tc.direction().shortName() + " s" + tc.stage()));
                    assertThat(tc.collectives()).as("the simulator's count for %s", tc.name())
                            .isEqualTo(expected.get(tc.direction().shortName() + " s" + tc.stage()).intValue());
                    checked++;
                }
            }
        }
        long passes = expected.values().stream().filter(n -> n > 0).count();
        assertThat(checked).as("one per pass with collectives of each device").isEqualTo(passes * 2 * plan.microBatches());
    }

    static Stream<Arguments> collectiveCounts() {
        return Stream.of(
                Arguments.of("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16", Map.of("F s0", 3L, "B s0", 2L, "F s1", 4L, "B s1", 3L)),
                Arguments.of("mlp:layers=3,width=16", Map.of("F s0", 1L, "B s0", 0L, "F s1", 1L, "B s1", 1L)));
    }
}
