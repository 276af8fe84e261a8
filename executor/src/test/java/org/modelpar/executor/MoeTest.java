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
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.Activation;
import org.modelpar.graph.zoo.Architecture;
import org.modelpar.graph.zoo.MlpShape;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.graph.zoo.MoeShape;
import org.modelpar.graph.zoo.Transformer;
import org.modelpar.graph.zoo.TransformerConfig;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mixture-of-experts preset {@code moe-tiny} (router, 4 experts, top-2, capacity factor 1.25) trains on one
 * device, and pipeline, data and expert parallelism end with its parameters within 1e-5 in fp32, each plan's measured
 * peak within the simulator's ({@link EquivalenceTest#train}).
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
                Arguments.of(2, 1, 2, 1, Schedule.ONE_F_ONE_B, Recompute.NONE, false),
                Arguments.of(1, 2, 2, 1, Schedule.GPIPE, Recompute.NONE, false),
                Arguments.of(2, 2, 2, 1, Schedule.ONE_F_ONE_B, Recompute.NONE, false),
                Arguments.of(2, 1, 2, 1, Schedule.GPIPE, Recompute.FULL, false),
                Arguments.of(1, 2, 2, 2, Schedule.GPIPE, Recompute.NONE, false),
                Arguments.of(2, 2, 2, 2, Schedule.ONE_F_ONE_B, Recompute.NONE, false),
                Arguments.of(1, 4, 4, 4, Schedule.GPIPE, Recompute.NONE, false),
                Arguments.of(1, 4, 4, 2, Schedule.ONE_F_ONE_B, Recompute.NONE, true),
                Arguments.of(2, 2, 2, 2, Schedule.ONE_F_ONE_B, Recompute.FULL, true),
                Arguments.of(2, 2, 2, 2, Schedule.ZB_H1, Recompute.NONE, false));
    }

    /**
     * Pipeline and data parallelism, and expert parallelism of degree 2 and 4 (with 4 replicas and degree 2, each
     * expert's gradients summed over its 2 holders; two overlapping that sum with the last backward; ZB-H1 splitting the
 * experts' backward into input and weight gradients, each with its own exchanges).
     */
    @ParameterizedTest(name = "{0} stages x {1} replicas, micro-batch {2}, expert degree {3}, {4}, recompute {5}, overlapped {6}")
    @MethodSource("layouts")
    void matchesSingleDevice(int stages, int replicas, int microBatchSize, int expertDegree, Schedule schedule, Recompute recompute,
                             boolean overlap) {
        PlacementPlan plan = Plans.plan(GRAPH, stages, replicas, microBatchSize, 4 / microBatchSize, schedule, OptimizerKind.SGD)
                .withRecomputation(recompute);
        plan = plan.withOptions(plan.options().withExpertParallel(expertDegree).withOverlapGradientReduce(overlap));
        assertThat(EquivalenceTest.maxDifference(reference(), EquivalenceTest.train(GRAPH, plan, OPTIONS, STEPS)))
                .isLessThanOrEqualTo(1e-5);
    }

    /** A device holds only its experts; checkpoints hold every expert whole, and a resume from them continues exactly. */
    @Test
    void expertParallelCheckpointsAreWholeAndResumeExactly() {
        PlacementPlan plain = Plans.plan(GRAPH, 1, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
        PlacementPlan plan = plain.withOptions(plain.options().withExpertParallel(2));
        ExecutorOptions options = ExecutorOptions.defaults(5, 1e-3);
        SyntheticTask task = SyntheticTask.forGraph(GRAPH, 11);
        Map<String, INDArray> params;
        Map<String, INDArray> moments;
        Map<String, INDArray> uninterrupted;
        try (Executor ex = Executor.create(GRAPH, Plans.lower(GRAPH, plan), options)) {
            assertThat(ex.parameterParts().get("cpu0")).containsKey("block0.expert0.fc1.weight").doesNotContainKey("block0.expert2.fc1.weight");
            assertThat(ex.parameterParts().get("cpu1")).containsKey("block0.expert2.fc1.weight").doesNotContainKey("block0.expert0.fc1.weight");
            for (int s = 0; s < 3; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
            }
            params = ex.parameters();
            moments = ex.optimizerState();
            for (int s = 3; s < 5; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
            }
            uninterrupted = ex.parameters();
        }
        try (Executor ex = Executor.create(GRAPH, Plans.lower(GRAPH, plain), options)) {
            assertThat(params.keySet()).isEqualTo(ex.parameters().keySet());
        }
        try (Executor ex = Executor.create(GRAPH, Plans.lower(GRAPH, plan), options)) {
            ex.restore(params, moments, 3);
            for (int s = 3; s < 5; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
            }
            assertThat(EquivalenceTest.maxDifference(uninterrupted, ex.parameters())).isZero();
        }
    }

    /**
     * Shared experts (DeepSeekMoE: one GeLU MLP of 256 that sees every token, added in the combine) train under pipeline,
     * data and expert parallelism as on one device; a gated shared expert (Qwen-MoE) is refused naming the combine.
     */
    @Test
    void sharedExpertsTrainAsOneDeviceAndAGateIsRefused() {
        MlpShape expert = new MlpShape(256, Activation.GELU, true);
        Architecture tiny = TransformerConfig.gpt(4, 64, 4, 32, 64).architecture();
        MoeShape moe = MoeShape.routed(4, 2, expert).withCapacityFactor(1.25);
        ComputationGraph graph = Transformer.build("moe-shared", tiny.withMoe(moe.withShared(expert, false)));
        Map<String, INDArray> one = EquivalenceTest.train(graph, Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD),
                OPTIONS, STEPS);
        PlacementPlan pipeline = Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan experts = Plans.plan(graph, 1, 2, 2, 2, Schedule.GPIPE, OptimizerKind.SGD);
        experts = experts.withOptions(experts.options().withExpertParallel(2));
        for (PlacementPlan plan : List.of(pipeline, experts)) {
            assertThat(EquivalenceTest.maxDifference(one, EquivalenceTest.train(graph, plan, OPTIONS, STEPS))).isLessThanOrEqualTo(1e-5);
        }
        ComputationGraph gated = Transformer.build("moe-gated", tiny.withMoe(moe.withShared(expert, true)));
        PlacementPlan plan = Plans.plan(gated, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD);
        assertThatThrownBy(() -> Executor.create(gated, Plans.lower(gated, plan), OPTIONS).close())
                .hasMessage("op 'block0.combine': input 'block0.shared.gate' (linear, width 1) cannot be executed: the executor adds"
                        + " shared experts' outputs of the hidden width 64, no shared-expert gate");
    }

    private static synchronized Map<String, INDArray> reference() {
        if (reference == null) {
            reference = EquivalenceTest.train(GRAPH, Plans.plan(GRAPH, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD), OPTIONS, STEPS);
        }
        return reference;
    }
}
