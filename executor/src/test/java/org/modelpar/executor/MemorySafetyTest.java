package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/**
 * Issue 7 item 4: for the plans executed here the measured peak of every device (the ledger's count of
 * live tensors) is not above the simulator's predicted peak, except for three things the simulator's
 * memory model does not count, computed exactly and reported: the tied word-embedding copy on the logits
 * stage (parameters, gradients and Adam state of {@code vocab x hidden} values); the model's input
 * features, which the first linear layer keeps for its weight gradient (one row of {@code in} values per
 * sample of every in-flight micro-batch); and sent messages not yet received (the sender's buffer stays
 * live until the peer's program reaches its receive: at most one message per micro-batch the device's
 * stage keeps in flight, {@code min(p, m)}).
 */
class MemorySafetyTest {
    static Stream<Arguments> plans() {
        return Stream.of(
                Arguments.of("mlp:layers=3,width=32", 1, 1, Schedule.GPIPE),
                Arguments.of("mlp:layers=3,width=32", 2, 2, Schedule.ONE_F_ONE_B),
                Arguments.of("gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64", 1, 1, Schedule.GPIPE),
                Arguments.of("gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64", 2, 1, Schedule.GPIPE),
                Arguments.of("gpt:layers=2,hidden=32,heads=2,seq=16,vocab=64", 2, 2, Schedule.ONE_F_ONE_B));
    }

    @ParameterizedTest(name = "{0} on {1} stages x {2} replicas, {3}")
    @MethodSource("plans")
    void measuredPeakNotAbovePredicted(String model, int stages, int replicas, Schedule schedule) {
        ComputationGraph graph = ModelZoo.build(model);
        PlacementPlan plan = Plans.plan(graph, stages, replicas, 4, 2, schedule, OptimizerKind.ADAM);
        SimulationReport predicted = Simulator.simulate(graph, Plans.local(plan.devices().size()), plan);
        Map<String, Long> measured;
        SyntheticTask task = SyntheticTask.forGraph(graph, 1);
        org.modelpar.simulator.program.StepProgram program = Plans.lower(graph, plan);
        try (Executor ex = Executor.create(graph, program, ExecutorOptions.defaults(1, 1e-3))) {
            for (int s = 0; s < 2; s++) {
                ex.step(task.batch(s, plan.globalBatchSize()));
            }
            measured = ex.peakMemoryBytes();
        }
        long tiedCopy = tiedCopyBytes(graph, plan);
        for (String device : plan.devices()) {
            int stage = plan.stages().stream().filter(s -> s.devices().contains(device)).findFirst().orElseThrow().index();
            boolean holdsCopy = tiedCopy > 0 && plan.stages().get(stage).ops().contains("logits")
                    && !plan.stages().get(stage).ops().contains("embed");
            long allowance = (holdsCopy ? tiedCopy : 0) + (stage == 0 ? inputFeatureBytes(graph, plan) : 0)
                    + inFlightMessageBytes(program, device, plan);
            long m = measured.get(device);
            long p = predicted.devices().get(device).peakMemoryBytes();
            System.err.printf("MEMORY %s %s: measured %d, predicted %d, tied copy %d%n", model, device, m, p, allowance);
            assertThat(m).as("device %s measured peak", device).isPositive().isLessThanOrEqualTo(p + allowance);
        }
    }

    /** Input features stashed by a first linear op: in-flight micro-batches x samples per replica x in x 4. */
    private static long inputFeatureBytes(ComputationGraph graph, PlacementPlan plan) {
        OpNode first = graph.topologicalOrder().get(0);
        if (!first.kind().equals("linear")) {
            return 0;
        }
        int m = plan.microBatches();
        int inFlight = plan.schedule() == Schedule.GPIPE ? m : Math.min(plan.pipelineStages(), m);
        return (long) inFlight * plan.microBatchSize() / plan.dataParallel(0) * first.longAttribute("in").orElseThrow() * 4;
    }

    /** The device's largest message x the micro-batches in flight, min(p, m). */
    private static long inFlightMessageBytes(org.modelpar.simulator.program.StepProgram program, String device, PlacementPlan plan) {
        long largest = program.programs().stream().filter(p -> p.device().equals(device))
                .flatMap(p -> p.instructions().stream())
                .filter(i -> i instanceof org.modelpar.simulator.program.Send)
                .mapToLong(i -> ((org.modelpar.simulator.program.Send) i).bytes()).max().orElse(0);
        return largest * Math.min(plan.pipelineStages(), plan.microBatches());
    }

    /** Adam fp32: 4 bytes of value + 4 of gradient + 8 of state per word-embedding value. */
    private static long tiedCopyBytes(ComputationGraph graph, PlacementPlan plan) {
        return graph.op("embed").map(OpNode::attributes)
                .map(a -> Long.parseLong(a.get("vocab")) * Long.parseLong(a.get("hidden")) * 16).orElse(0L);
    }
}
