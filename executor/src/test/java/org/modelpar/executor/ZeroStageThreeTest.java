package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ZeRO stage 3 (each replica holds its part of every parameter; a pass runs unit by unit, each unit's parameters
 * all-gathered before its part and freed after it; the gradients reduce-scattered unit by unit) trains like
 * single-device training within 1e-5 in fp32, with measured peaks within the simulator's ({@link EquivalenceTest#train}).
 */
class ZeroStageThreeTest {
    private static final int STEPS = 10;

    /**
     * Data-parallel degree 2 and 4, alone and under 2 pipeline stages, with 1F1B, GPipe and ZB-H1 (whose
     * weight-gradient pass runs without gathering: it reads the saved inputs and output gradients only), with full and
     * selective recomputation (each transformer layer a segment, inside its unit; the mlp's whole stage one segment
     * over several units, whose rebuild re-gathers them in forward order, {@code GatherOrder}): 4 samples a step, as
     * the reference.
     */
    @ParameterizedTest(name = "{0}: {1} stages x {2} replicas, {3} x {4} samples, {5}, recompute {6}")
    @CsvSource({"mlp, 1, 2, 2, 2, 1f1b, none", "mlp, 1, 4, 4, 1, gpipe, none", "gpt, 1, 2, 2, 2, 1f1b, none",
            "gpt, 1, 4, 4, 1, 1f1b, none", "gpt, 2, 2, 2, 2, 1f1b, none", "gpt, 2, 2, 2, 2, gpipe, none",
            "gpt, 2, 2, 2, 2, 1f1b, full", "gpt, 1, 2, 2, 2, gpipe, selective", "gpt, 2, 2, 2, 2, zb-h1, none",
            "gpt, 1, 4, 4, 1, zb-h1, none", "mlp, 2, 2, 2, 2, zb-h1, none", "mlp, 2, 2, 2, 2, 1f1b, full",
            "mlp, 1, 2, 2, 2, gpipe, full"})
    void stageThreeMatchesSingleDevice(String model, int stages, int replicas, int microBatchSize, int microBatches,
                                       String schedule, String recompute) {
        ComputationGraph graph = EquivalenceTest.graph(model);
        PlacementPlan plain = Plans.plan(graph, stages, replicas, microBatchSize, microBatches, Schedule.parse(schedule),
                OptimizerKind.SGD).withRecomputation(Recompute.valueOf(recompute.toUpperCase(java.util.Locale.ROOT)));
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(3));
        Map<String, INDArray> trained = EquivalenceTest.train(graph, zero, ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), trained)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * Interleaved 1F1B (a device runs two model chunks, each gathering its own units) and tensor degree 2 (each rank's
     * parts of its tensor-parallel parts, gathered over the replicas with the same tensor rank), with 1F1B and ZB-H1
     * (the tied logits' weight pass takes its rank's vocabulary columns without the word table gathered).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"interleaved, 2, interleaved", "tensor, 2, 1f1b", "tensor, 2, zb-h1"})
    void stageThreeWithInterleavingAndTensorParallelism(String kind, int degree, String schedule) {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plain = kind.equals("interleaved") ? ScheduleEquivalenceTest.interleaved(graph, 2, degree, 2, 1)
                : Plans.tensorParallel(graph, 1, degree, 2, Schedule.parse(schedule));
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(3));
        Map<String, INDArray> trained = EquivalenceTest.train(graph, zero, ExecutorOptions.defaults(5, 0.05), STEPS);
        assertThat(EquivalenceTest.maxDifference(ScheduleEquivalenceTest.reference(graph), trained)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * In bf16 and fp16 (loss-scaled) each replica keeps its part of the fp32 master weights and a 16-bit copy of that
     * part, which the gathers assemble: training follows fp32 within 5% of how far it moves the weights, as without
     * ZeRO ({@code MixedPrecisionTest}), the measured peak within the predicted.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"BF16", "FP16"})
    void sixteenBitStageThreeFollowsFp32(String precision) {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        ExecutorOptions options = ExecutorOptions.defaults(5, 0.05);
        PlacementPlan fp32 = Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.SGD);
        Map<String, INDArray> initial = EquivalenceTest.train(graph, fp32, options, 0);
        Map<String, INDArray> reference = EquivalenceTest.train(graph, fp32, options, 4);
        PlacementPlan p = Plans.plan(graph, 1, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan mixed = new PlacementPlan(p.graphName(), "", "local", "", Precision.valueOf(precision), p.optimizer(),
                p.globalBatchSize(), p.microBatchSize(), p.microBatches(), p.schedule(), p.tensorParallel(), p.stages())
                .withOptions(p.options().withZeroStage(3));
        Map<String, INDArray> trained = EquivalenceTest.train(graph, mixed, options, 4);
        assertThat(EquivalenceTest.maxDifference(reference, trained)).as("computed in 16 bits").isPositive()
                .isLessThan(0.05 * EquivalenceTest.maxDifference(initial, reference));
        assertThat(trained.get("embed.word").dataType()).as("master weights").isEqualTo(reference.get("embed.word").dataType());
    }

    /**
     * Between steps replica r of 2 holds exactly part r of every parameter (the flattened tensor cut in 2, the first
     * part the longer), the whole tensors put together from the parts; a step gathers, runs and reduce-scatters unit
     * by unit, as the program says.
     */
    @Test
    void eachReplicaHoldsItsPartsAndAPassRunsUnitByUnit() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plain = Plans.plan(graph, 1, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(3));
        try (Executor ex = Executor.create(graph, Plans.lower(graph, zero), ExecutorOptions.defaults(5, 0.05))) {
            ex.step(SyntheticTask.forGraph(graph, 11).batch(0, zero.globalBatchSize()));
            Map<String, INDArray> whole = ex.parameters();
            Map<String, Map<String, INDArray>> parts = ex.parameterParts();
            for (int r = 0; r < 2; r++) {
                Map<String, INDArray> mine = parts.get("cpu" + r);
                for (Map.Entry<String, INDArray> e : whole.entrySet()) {
                    long n = e.getValue().length();
                    long per = (n + 1) / 2;
                    long from = Math.min(n, r * per);
                    long to = Math.min(n, from + per);
                    if (to == from) {
                        assertThat(mine).doesNotContainKey(e.getKey());
                        continue;
                    }
                    assertThat(mine.get(e.getKey()).shape()).containsExactly(to - from);
                    assertThat(mine.get(e.getKey())).isEqualTo(e.getValue().reshape(n).get(NDArrayIndex.interval(from, to)));
                }
            }
            assertThat(ex.timeline().spans().stream().filter(sp -> sp.device().equals("cpu0")).map(Span::name)
                    .filter(n -> n.contains("mb1")).toList()).startsWith(
                    "allgather params F s0 mb1 u0", "allgather params F s0 mb1 u1", "F s0 mb1 u0", "allgather params F s0 mb1 u2");
        }
    }

    /**
     * The next unit's gather is issued before the part ahead of it starts and runs on the device's gather thread beside
     * that part; the unit's own part waits for it (its span ends before the part starts). The measured peak stays
     * within the simulator's, which counts the running unit and the prefetched one.
     */
    @Test
    void theNextUnitIsGatheredWhileThePartAheadRuns() {
        ComputationGraph graph = EquivalenceTest.graph("gpt");
        PlacementPlan plain = Plans.plan(graph, 1, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(3));
        var program = Plans.lower(graph, zero);
        long issued = program.programs().get(0).instructions().stream().filter(i -> i instanceof AllGather g && g.prefetches())
                .count();
        try (Executor ex = Executor.create(graph, program, ExecutorOptions.defaults(5, 0.05))) {
            ex.step(SyntheticTask.forGraph(graph, 11).batch(0, zero.globalBatchSize()));
            List<Span> spans = ex.timeline().spans().stream().filter(sp -> sp.device().equals("cpu0")).toList();
            List<Span> prefetches = spans.stream().filter(sp -> sp.instruction() instanceof AllGather g && g.prefetches()).toList();
            assertThat(prefetches).hasSize((int) issued).isNotEmpty();
            for (Span gather : prefetches) {
                AllGather g = (AllGather) gather.instruction();
                int ahead = g.unit() + (g.phase() == AllGather.Phase.FORWARD ? -1 : 1);
                assertThat(gather.startSeconds()).as(gather.name()).isLessThanOrEqualTo(part(spans, g, ahead).startSeconds());
                assertThat(gather.endSeconds()).as(gather.name()).isLessThanOrEqualTo(part(spans, g, g.unit()).startSeconds());
            }
            var predicted = Simulator.simulate(KernelWorkspace.measure(graph, zero), Plans.local(2), zero).devices();
            ex.peakMemoryBytes().forEach((device, measured) -> assertThat(measured).as(device)
                    .isLessThanOrEqualTo(predicted.get(device).peakMemoryBytes()));
        }
    }

    /** The span of the compute part of {@code unit} in the pass that gather {@code g} belongs to. */
    private static Span part(List<Span> spans, AllGather g, int unit) {
        Direction direction = g.phase() == AllGather.Phase.FORWARD ? Direction.FORWARD : Direction.BACKWARD;
        return spans.stream().filter(sp -> sp.instruction() instanceof Compute c && c.stage() == g.stage()
                && c.microBatch() == g.microBatch() && c.direction() == direction && c.part() == unit).findFirst().orElseThrow();
    }

    /**
     * A routed expert's weight-gradient pass recomputes its first layer from its parameters, which ZB-H1's weight pass
     * runs without at ZeRO stage 3: refused, naming the experts.
     */
    @Test
    void zeroBubbleWithRoutedExpertsIsRefused() {
        ComputationGraph graph = org.modelpar.graph.zoo.ModelZoo.build("moe-tiny");
        PlacementPlan plain = Plans.plan(graph, 1, 2, 2, 2, Schedule.ZB_H1, OptimizerKind.SGD);
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(3));
        assertThatThrownBy(() -> Executor.create(graph, Plans.lower(graph, zero), ExecutorOptions.defaults(1, 0.1)))
                .isInstanceOf(PlanException.class).hasMessage("the executor runs ZeRO stage 3 with schedule zb-h1 only with"
                        + " kernels whose weight-gradient pass reads no parameters (it runs without them gathered); the weight"
                        + " pass of 16 op(s) reads them (a routed expert recomputes its first layer): 'block0.expert0'"
                        + " (moe-expert), 'block0.expert1' (moe-expert), 'block0.expert2' (moe-expert), ...");
    }
}
