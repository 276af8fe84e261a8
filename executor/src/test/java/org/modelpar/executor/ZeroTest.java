package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ZeRO stage 1 (reduce-scatter of the gradients once a step, each replica updating its part of every parameter,
 * all-gather of the parameters) trains exactly as the all-reduce does with 2 replicas (a sum of two is the same in
 * either order); stage 2 (each parameter unit's gradients reduce-scattered during every micro-batch's backward, each
 * replica keeping only its part of the sums) adds the same numbers in another order. Both train like single-device
 * training within 1e-5, with measured peaks within the simulator's. Stage 3 ({@link ZeroStageThreeTest}) also holds
 * only its part of the weights.
 */
class ZeroTest {
    private static final int STEPS = 10;
    private static final ComputationGraph ADAM_GRAPH = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11");
    /** Adam in fp64 (see {@code EquivalenceTest}): 2 stages x 2 replicas. */
    private static final PlacementPlan ADAM_PLAN = Plans.plan(ADAM_GRAPH, 2, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
    private static final ExecutorOptions ADAM_OPTIONS = ExecutorOptions.defaults(5, 1e-2).withDataType(DataType.DOUBLE);

    private static PlacementPlan zero(PlacementPlan plain, int stage) {
        return plain.withOptions(plain.options().withZeroStage(stage));
    }

    /**
     * Stage 1 reduce-scatters once a step; overlapped, in buckets during the last backward, each bucket's tensors cut
     * into the same parts, so the sums are those of one reduce-scatter: bit for bit the all-reduce's. Stage 2 sums each
     * micro-batch's gradients over the replicas before adding up the micro-batches: the same within rounding. The
     * measured peak of each is checked against the plan's own prediction ({@link EquivalenceTest#train}).
     */
    @ParameterizedTest(name = "{0}: {1} stages x {2} replicas, tensor {3}, ZeRO {4}, overlapped {5}, {6}")
    @CsvSource({"mlp, 1, 2, 1, 1, false, 1f1b", "gpt, 2, 2, 1, 1, false, 1f1b", "gpt, 1, 2, 2, 1, false, 1f1b",
            "mlp, 1, 2, 1, 2, false, 1f1b", "gpt, 2, 2, 1, 2, false, 1f1b", "gpt, 1, 2, 2, 2, false, 1f1b",
            "mlp, 2, 2, 1, 1, true, 1f1b", "gpt, 2, 2, 1, 2, true, 1f1b", "gpt, 1, 2, 2, 2, true, gpipe",
            "gpt, 2, 2, 1, 2, true, zb-h1"})
    void zeroEqualsTheAllReduceBitForBit(String model, int stages, int replicas, int tensor, int zeroStage, boolean overlap,
                                         String schedule) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        Schedule order = Schedule.parse(schedule);
        PlacementPlan plain = tensor == 1 ? Plans.plan(graph, stages, replicas, 2, 2, order, OptimizerKind.SGD)
                : Plans.tensorParallel(graph, stages, tensor, replicas, order);
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(zeroStage).withOverlapGradientReduce(overlap));
        Map<String, INDArray> reduced = EquivalenceTest.train(graph, plain, ExecutorOptions.defaults(5, 0.05), STEPS);
        Map<String, INDArray> sharded = EquivalenceTest.train(graph, zero, ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(reduced, sharded)).isLessThanOrEqualTo(zeroStage == 1 ? 0 : 1e-6);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), sharded)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * Stage 2 runs each backward unit by unit, with full and selective recomputation: each transformer layer a segment
     * inside its unit, the mlp's whole stage one segment over several units, rebuilt whole with every parameter present
     * (nothing to re-gather, unlike stage 3): single-device training within 1e-5.
     */
    @ParameterizedTest(name = "{0}: {1} stages, recompute {2}")
    @CsvSource({"mlp, 1, full", "mlp, 2, full", "gpt, 2, full", "gpt, 1, selective"})
    void stageTwoRecomputesPartByPart(String model, int stages, String recompute) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        PlacementPlan plain = Plans.plan(graph, stages, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD)
                .withRecomputation(Recompute.valueOf(recompute.toUpperCase(java.util.Locale.ROOT)));
        Map<String, INDArray> trained = EquivalenceTest.train(graph, zero(plain, 2), ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), trained)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * Stage 2 keeps its quarter of the gradients over 4 replicas plus the whole gradients of at most two layers of
     * eight, where stage 1 keeps them all; stage 3 keeps its quarter of the weights plus the gathered weights of at most
     * two layers, where stage 2 keeps them all: on 4 replicas of one stage, micro-batch size 4 and 2 micro-batches, both
     * the measured and the predicted peaks fall from stage to stage, and the measured stays within the predicted.
     */
    @Test
    void eachStageHoldsLessThanTheOneBefore() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=8,hidden=32,heads=2,seq=8,vocab=11");
        PlacementPlan plain = Plans.plan(graph, 1, 4, 4, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        Map<Integer, Long> measured = new java.util.HashMap<>();
        Map<Integer, Long> predicted = new java.util.HashMap<>();
        for (int stage : new int[] {1, 2, 3}) {
            PlacementPlan plan = zero(plain, stage);
            SyntheticTask task = SyntheticTask.forGraph(graph, 11);
            try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(5, 0.05))) {
                for (int s = 0; s < 3; s++) {
                    ex.step(task.batch(s, plan.globalBatchSize()));
                }
                measured.put(stage, ex.peakMemoryBytes().get("cpu0"));
            }
            predicted.put(stage, Simulator.simulate(KernelWorkspace.measure(graph, plan), Plans.local(4), plan).devices()
                    .get("cpu0").peakMemoryBytes());
            System.out.printf("ZERO %d: measured peak %d bytes, predicted %d%n", stage, measured.get(stage), predicted.get(stage));
            assertThat(measured.get(stage)).isLessThanOrEqualTo(predicted.get(stage));
        }
        assertThat(measured.get(2)).isLessThan(measured.get(1));
        assertThat(predicted.get(2)).isLessThan(predicted.get(1));
        assertThat(measured.get(3)).isLessThan(measured.get(2));
        assertThat(predicted.get(3)).isLessThan(predicted.get(2));
    }

    /**
     * Adam's moments of each part live on its replica only (with stage 3 the part of the weights too); in fp64 the run
     * equals the all-reduce one (stages 2 and 3: to rounding).
     */
    @ParameterizedTest(name = "ZeRO {0}")
    @ValueSource(ints = {1, 2, 3})
    void adamOnPartsEqualsAdamOnWholeTensors(int stage) {
        assertThat(EquivalenceTest.maxDifference(EquivalenceTest.train(ADAM_GRAPH, ADAM_PLAN, ADAM_OPTIONS, 5),
                EquivalenceTest.train(ADAM_GRAPH, zero(ADAM_PLAN, stage), ADAM_OPTIONS, 5))).isLessThanOrEqualTo(stage == 1 ? 0 : 1e-12);
    }

    /**
     * Checkpoints hold whole tensors: the replicas' parts of Adam's moments (with stage 3 of the weights too) add up to
     * the all-reduce run's, and a resume from them (each replica cutting its part back out) continues exactly.
     */
    @ParameterizedTest(name = "ZeRO {0}")
    @ValueSource(ints = {1, 2, 3})
    void momentsAreWholeInCheckpointsAndAResumeIsExact(int stage) {
        ComputationGraph graph = ADAM_GRAPH;
        ExecutorOptions options = ADAM_OPTIONS;
        PlacementPlan plain = ADAM_PLAN;
        PlacementPlan zero = zero(plain, stage);
        SyntheticTask task = SyntheticTask.forGraph(graph, 11);
        Map<String, INDArray> wholeMoments;
        Map<String, INDArray> params;
        Map<String, INDArray> moments;
        Map<String, INDArray> uninterrupted;
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plain), options)) {
            for (int s = 0; s < 3; s++) {
                ex.step(task.batch(s, plain.globalBatchSize()));
            }
            wholeMoments = ex.optimizerState();
        }
        try (Executor ex = Executor.create(graph, Plans.lower(graph, zero), options)) {
            for (int s = 0; s < 3; s++) {
                ex.step(task.batch(s, zero.globalBatchSize()));
            }
            params = ex.parameters();
            moments = ex.optimizerState();
            for (int s = 3; s < 5; s++) {
                ex.step(task.batch(s, zero.globalBatchSize()));
            }
            uninterrupted = ex.parameters();
        }
        assertThat(moments.keySet()).isEqualTo(wholeMoments.keySet());
        assertThat(EquivalenceTest.maxDifference(wholeMoments, moments)).isLessThanOrEqualTo(stage == 1 ? 0 : 1e-12);
        try (Executor ex = Executor.create(graph, Plans.lower(graph, zero), options)) {
            ex.restore(params, moments, 3);
            for (int s = 3; s < 5; s++) {
                ex.step(task.batch(s, zero.globalBatchSize()));
            }
            assertThat(EquivalenceTest.maxDifference(uninterrupted, ex.parameters())).isZero();
        }
    }
}
