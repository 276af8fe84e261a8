package org.modelpar.executor;

import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.StepProgram;

class ExecutorTest {
    private final ComputationGraph graph = ModelZoo.build("mlp:layers=2,width=8");
    private final PlacementPlan plan = Plans.plan(graph, 2, 1, 2, 2, Schedule.GPIPE, OptimizerKind.SGD);
    private final SyntheticTask task = SyntheticTask.forGraph(graph, 1);

    @Test
    void traceUsesTheInjectedClockAndTheSimulatorsNames() {
        AtomicLong now = new AtomicLong();
        Ticker fake = () -> now.addAndGet(1_000_000);
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 0.1).withTicker(fake))) {
            ex.step(task.batch(0, plan.globalBatchSize()));
            for (Span s : ex.timeline().spans()) {
                assertThat(s.seconds()).as(s.name()).isPositive();
                assertThat(Math.round(s.seconds() * 1e9) % 1_000_000).isZero();
            }
            assertThat(ex.timeline().spans()).extracting(Span::name)
                    .contains("F s0 mb0", "send act s0>s1 mb0", "recv act s0>s1 mb0", "B s1 mb1", "free s1 mb1", "optimizer s0");
            assertThat(ex.timeline().spans()).hasSize(Plans.lower(graph, plan).instructionCount());
        }
    }

    @Test
    void computeThreadsRunATaskOnEachDevicesThreadInTurnAndRethrowItsFailureOrReturnItsValue() {
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 0.1))) {
            ComputeThreads threads = ex.computeThreads();
            List<String> ran = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                threads.run(i, () -> ran.add(Thread.currentThread().getName()));
            }
            assertThat(threads.count()).isEqualTo(2);
            assertThat(ran).containsExactly("modelpar-cpu0", "modelpar-cpu1", "modelpar-cpu0");
            assertThatThrownBy(() -> threads.run(1, () -> {
                throw new IllegalArgumentException("bad pass");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad pass");
            assertThat(threads.call(3, () -> Thread.currentThread().getName())).isEqualTo("modelpar-cpu1");
        }
    }

    @Test
    void peakMemoryCountsParametersGradientsAndActivations() {
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 0.1))) {
            long state = 2L * 4 * (8 * 8 + 8) * 2; // cpu0 holds fc0 and fc1 (+ biases): parameters + gradients
            ex.step(task.batch(0, plan.globalBatchSize()));
            assertThat(ex.peakMemoryBytes().get("cpu0")).isGreaterThan(state);
            // the trace's memory track reaches the reported peak: each instruction's own peak is drawn over its span
            for (String device : new String[] {"cpu0", "cpu1"}) {
                assertThat(ex.timeline().memory().stream().filter(m -> m.device().equals(device))
                        .mapToLong(MemorySample::bytes).max().orElse(0))
                        .as(device).isEqualTo(ex.peakMemoryBytes().get(device));
            }
        }
    }

    /** The peak is reached while an instruction's temporaries are live: a budget one byte lower fails there. */
    @Test
    void anInstructionsTemporariesCountAgainstTheBudget() {
        long peak;
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 0.1))) {
            ex.step(task.batch(0, plan.globalBatchSize()));
            peak = ex.peakMemoryBytes().get("cpu0");
        }
        ExecutorOptions below = ExecutorOptions.defaults(1, 0.1).withMemoryBudgets(Map.of("cpu0", peak - 1), Long.MAX_VALUE);
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), below)) {
            assertThatThrownBy(() -> ex.step(task.batch(0, plan.globalBatchSize())))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("device cpu0 out of memory: allocating")
                    .hasMessageContaining("bytes of workspace on top of")
                    .hasMessageContaining("exceeds the budget of " + (peak - 1) + " bytes");
        }
    }

    @Test
    void memoryBudgetIsEnforcedNamingDeviceAndInstruction() {
        long stateBytes = 2L * 4 * (8 * 8 + 8) * 2;
        ExecutorOptions tight = ExecutorOptions.defaults(1, 0.1).withMemoryBudgets(Map.of("cpu0", stateBytes + 16), Long.MAX_VALUE);
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), tight)) {
            assertThatThrownBy(() -> ex.step(task.batch(0, plan.globalBatchSize())))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("device cpu0 failed at step 0 instruction 0 'F s0 mb0'")
                    .hasMessageContaining("exceeds the budget of " + (stateBytes + 16) + " bytes");
        }
        ExecutorOptions tiny = ExecutorOptions.defaults(1, 0.1).withMemoryBudgets(Map.of("cpu1", 100L), Long.MAX_VALUE);
        assertThatThrownBy(() -> Executor.create(graph, Plans.lower(graph, plan), tiny))
                .hasMessageContaining("device cpu1 out of memory").hasMessageContaining("parameters");
    }

    @Test
    void afterTheFirstStepNothingThatOutlivesAnInstructionIsAllocatedAgain() {
        ComputationGraph gpt = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan pipeline = Plans.plan(gpt, 2, 1, 2, 4, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
        SyntheticTask tokens = SyntheticTask.forGraph(gpt, 1);
        try (Executor ex = Executor.create(gpt, Plans.lower(gpt, pipeline), ExecutorOptions.defaults(1, 0.1))) {
            ex.step(tokens.batch(0, pipeline.globalBatchSize()));
            Map<String, Long> first = ex.pooledAllocations();
            for (int i = 1; i < 6; i++) {
                ex.step(tokens.batch(i, pipeline.globalBatchSize()));
            }
            assertThat(first.values()).allMatch(n -> n > 0);
            assertThat(ex.pooledAllocations()).isEqualTo(first);
        }
    }

    @Test
    void refusesWhatItCannotRun() {
        ComputationGraph gpt = EquivalenceTest.graph("gpt");
        List<String> ops = gpt.topologicalOrder().stream().map(OpNode::id).toList();
        int logits = ops.indexOf("logits");
        List<List<String>> cuts = List.of(ops.subList(0, 4), ops.subList(4, 8), ops.subList(8, logits + 1),
                ops.subList(logits + 1, ops.size()));
        List<Stage> chunks = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            chunks.add(new Stage(s, List.of("cpu" + s % 2), cuts.get(s), false));
        }
        PlacementPlan tiedOnOneDevice = new PlacementPlan(gpt.name(), "", "local", "", Precision.FP32, OptimizerKind.SGD, 4, 2, 2,
                Schedule.INTERLEAVED, 1, chunks, PlanOptions.NONE, 2);
        assertThatThrownBy(() -> Executor.create(gpt, Plans.lower(gpt, tiedOnOneDevice), ExecutorOptions.defaults(1, 0.1)))
                .isInstanceOf(PlanException.class).hasMessage("the executor needs the stages sharing weight 'embed' on different"
                        + " devices; the plan runs its stages [0, 2] on 1 device group(s) of 2");
        PlacementPlan twoReplicas = Plans.plan(graph, 1, 2, 2, 2, Schedule.GPIPE, OptimizerKind.SGD);
        PlacementPlan experts = twoReplicas.withOptions(PlanOptions.NONE.withExpertParallel(2));
        assertThatThrownBy(() -> Executor.create(graph, Plans.lower(graph, experts), ExecutorOptions.defaults(1, 0.1)))
                .isInstanceOf(PlanException.class).hasMessageStartingWith("expert-parallel degree 2: graph '" + graph.name()
                        + "' has no mixture-of-experts layer");
        ComputationGraph moe = ModelZoo.build("moe-tiny");
        PlacementPlan threeReplicas = Plans.plan(moe, 1, 3, 3, 1, Schedule.GPIPE, OptimizerKind.SGD);
        PlacementPlan unevenExperts = threeReplicas.withOptions(PlanOptions.NONE.withExpertParallel(3));
        assertThatThrownBy(() -> Executor.create(moe, Plans.lower(moe, unevenExperts), ExecutorOptions.defaults(1, 0.1)))
                .isInstanceOf(PlanException.class).hasMessage("the executor spreads a layer's experts evenly over the"
                        + " expert-parallel group; degree 3 does not divide 4 experts");
    }

    @Test
    void aTiedWeightWithoutItsAllReduceInTheProgramIsRefused() {
        ComputationGraph gpt = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan pipeline = Plans.plan(gpt, 2, 1, 2, 2, Schedule.GPIPE, OptimizerKind.SGD);
        StepProgram lowered = Plans.lower(gpt, pipeline);
        assertThat(lowered.programs()).allSatisfy(p -> assertThat(p.instructions()).extracting(Instruction::name)
                .contains("allreduce tied embed"));
        StepProgram without = new StepProgram(pipeline, lowered.programs().stream().map(p -> new DeviceProgram(p.device(),
                p.stage(), p.replica(), p.tensorRank(), p.instructions().stream()
                        .filter(i -> !(i instanceof AllReduce a && !a.tiedOp().isEmpty())).toList())).toList());
        assertThatThrownBy(() -> Executor.create(gpt, without, ExecutorOptions.defaults(1, 0.1)))
                .hasMessageContaining("embed.word").hasMessageContaining("no tied all-reduce");
    }
}
