package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * Issue 7 item 4: for the plans executed here the measured peak of every device (the ledger's count of
 * live tensors) is not above the simulator's predicted peak, with no allowance: the simulator's memory
 * model counts the tied word-embedding copy on the logits stage, the model's input features (or token ids)
 * that the first op keeps for its weight gradient, and a bound on message buffers (sent and not yet
 * received, or received and not yet consumed). With full or selective recomputation the executor stashes each
 * recompute segment's input and rebuilds one segment at a time, as the simulator's memory model does. The prediction
 * is also tight: but for its reserve for pipeline messages (a bound on what may be in flight, which the threads here
 * rarely reach), at most 10% above the measured peak; under tensor parallelism too, where a rank holds its part of the vocabulary-parallel loss's stash, the parameters Megatron-LM replicates whole
 * and the residual stream's gradient whole.
 */
class MemorySafetyTest {
    private static final String GPT = "gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64";
    private static final String SMALL_GPT = "gpt:layers=4,hidden=64,heads=4,seq=32,vocab=16";

    static Stream<Arguments> plans() {
        return Stream.of(
                Arguments.of("mlp:layers=3,width=32", 1, 1, 2, Schedule.GPIPE, Recompute.NONE),
                Arguments.of("mlp:layers=3,width=32", 2, 2, 2, Schedule.ONE_F_ONE_B, Recompute.NONE),
                Arguments.of("mlp:layers=3,width=32", 2, 1, 4, Schedule.ONE_F_ONE_B, Recompute.FULL),
                Arguments.of(GPT, 1, 1, 2, Schedule.GPIPE, Recompute.NONE),
                Arguments.of(GPT, 2, 1, 2, Schedule.GPIPE, Recompute.NONE),
                Arguments.of(GPT, 2, 2, 2, Schedule.ONE_F_ONE_B, Recompute.NONE),
                Arguments.of(GPT, 1, 1, 2, Schedule.GPIPE, Recompute.FULL),
                Arguments.of(GPT, 2, 2, 2, Schedule.GPIPE, Recompute.FULL),
                Arguments.of(SMALL_GPT, 2, 1, 4, Schedule.ONE_F_ONE_B, Recompute.FULL),
                Arguments.of(SMALL_GPT, 2, 1, 4, Schedule.ONE_F_ONE_B, Recompute.SELECTIVE),
                Arguments.of(SMALL_GPT, 2, 1, 4, Schedule.ONE_F_ONE_B, Recompute.NONE));
    }

    @ParameterizedTest(name = "{0} on {1} stages x {2} replicas, {3} micro-batches of 4, {4}, recompute {5}")
    @MethodSource("plans")
    void measuredPeakNotAbovePredicted(String model, int stages, int replicas, int microBatches, Schedule schedule,
                                       Recompute recompute) {
        ComputationGraph graph = ModelZoo.build(model);
        PlacementPlan plan = Plans.plan(graph, stages, replicas, 4, microBatches, schedule, OptimizerKind.ADAM)
                .withRecomputation(recompute);
        assertPredictedWithin(graph, plan);
    }

    /**
     * Tensor-parallel plans; with {@code scattered}, pipeline messages scattered over the tensor ranks (a stage cut
     * inside a layer then receives the residual stream whole besides the norm's output, and keeps both).
     */
    @ParameterizedTest(name = "{0} on {1} stages x tensor {2}, {3}, scattered messages {4}")
    @CsvSource({"'gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64', 1, 2, GPIPE, false",
            "'gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64', 2, 2, ONE_F_ONE_B, false",
            "'gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64', 2, 4, GPIPE, false",
            "'gpt:layers=4,hidden=64,heads=4,seq=32,vocab=16', 2, 4, GPIPE, true",
            "'gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64', 2, 2, ONE_F_ONE_B, true",
            "'mlp:layers=3,width=32', 1, 2, GPIPE, false",
            "'mlp:layers=3,width=32', 3, 2, ONE_F_ONE_B, false",
            "'mlp:layers=2,width=32', 1, 4, GPIPE, false"})
    void tensorParallelPeakIsPredictedWithinTenPercent(String model, int stages, int tensor, Schedule schedule,
                                                       boolean scattered) {
        ComputationGraph graph = ModelZoo.build(model);
        PlacementPlan plan = Plans.tensorParallel(graph, stages, tensor, 1, schedule);
        assertPredictedWithin(graph, plan.withOptions(plan.options().withScatterGather(scattered)));
    }

    /**
     * Expert parallelism of moe-tiny over e data-parallel replicas of one sample each: a holder runs its experts on the
     * tokens of e replicas, and its first held expert's backward takes back the input gradients of the experts held
     * elsewhere.
     */
    @ParameterizedTest(name = "moe-tiny, expert parallel {0}, {1} micro-batches")
    @CsvSource({"2, 2", "4, 1"})
    void expertParallelPeakIsPredictedWithinTenPercent(int e, int microBatches) {
        ComputationGraph graph = ModelZoo.build("moe-tiny");
        PlacementPlan plan = Plans.plan(graph, 1, e, e, microBatches, Schedule.GPIPE, OptimizerKind.ADAM);
        assertPredictedWithin(graph, plan.withOptions(plan.options().withExpertParallel(e)));
    }

    /**
     * Runs two steps of {@code plan}: every device's measured peak is at most the predicted one and, the prediction's
     * message reserve aside, at least 1/1.10 of it.
     */
    private static void assertPredictedWithin(ComputationGraph graph, PlacementPlan plan) {
        String model = graph.name();
        Recompute recompute = plan.stages().get(0).recomputation();
        SimulationReport predicted = Simulator.simulate(KernelWorkspace.measure(graph, plan), Plans.local(plan.devices().size()), plan);
        Map<String, Long> measured;
        SyntheticTask task = SyntheticTask.forGraph(graph, 1);
        org.modelpar.simulator.program.StepProgram program = Plans.lower(graph, plan);
        try (Executor ex = Executor.create(graph, program, ExecutorOptions.defaults(1, 1e-3))) {
            for (int s = 0; s < 2; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
            }
            measured = ex.peakMemoryBytes();
        }
        for (String device : plan.devices()) {
            long m = measured.get(device);
            long p = predicted.devices().get(device).peakMemoryBytes();
            long reserve = predicted.devices().get(device).memory().messages();
            System.err.printf("MEMORY %s %s recompute %s: measured %d, predicted %d (%.3f)%n", model, device, recompute, m, p,
                    (double) m / p);
            assertThat(m).as("device %s measured peak", device).isPositive().isLessThanOrEqualTo(p)
                    .isGreaterThanOrEqualTo((long) Math.ceil((p - reserve) / 1.10));
        }
    }
}
