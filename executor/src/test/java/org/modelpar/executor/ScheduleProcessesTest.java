package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.train.Trainer;
import org.modelpar.executor.worker.LocalWorkers;
import org.modelpar.executor.worker.ProcessTrainer;
import org.modelpar.executor.worker.TestWorkerMain;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.StepProgram;

/**
 * The schedules and data-parallel settings beyond 1F1B run the same in worker processes on loopback as in threads:
 * interleaved 1F1B with ZeRO stage 1, ZB-H1 with the overlapped all-reduce and with ZeRO stage 2's overlapped
 * reduce-scatter (2 stages or device groups x 2 replicas, Adam, 4 processes), and 2 stages x tensor degree 2 with
 * sequence parallelism or with scatter/gather, end with bit-identical parameters and losses.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScheduleProcessesTest {
    private static final String TINY = "gpt:layers=2,hidden=16,heads=2,seq=8,vocab=";

    @ParameterizedTest
    @ValueSource(strings = {"interleaved zero", "zb-h1 overlap", "zb-h1 zero-2 overlap", "sequence-parallel", "scatter-gather"})
    void processesTrainBitIdenticallyToThreads(String setting) {
        boolean tensor = setting.equals("sequence-parallel") || setting.equals("scatter-gather");
        // a vocabulary the tensor degree divides for the tensor-parallel plans
        ComputationGraph graph = ModelZoo.build(TINY + (tensor ? 16 : 11));
        PlacementPlan plan;
        if (setting.startsWith("interleaved")) {
            PlacementPlan sgd = ScheduleEquivalenceTest.interleaved(graph, 2, 2, 2, 1);
            plan = new PlacementPlan(sgd.graphName(), "", "local", "", sgd.precision(), OptimizerKind.ADAM, sgd.globalBatchSize(),
                    sgd.microBatchSize(), sgd.microBatches(), sgd.schedule(), 1, sgd.stages(), sgd.options().withZeroStage(1),
                    sgd.virtualStages());
        } else if (setting.startsWith("zb-h1")) {
            PlacementPlan base = Plans.plan(graph, 2, 2, 2, 2, Schedule.ZB_H1, OptimizerKind.ADAM);
            plan = base.withOptions(base.options().withOverlapGradientReduce(true).withZeroStage(setting.contains("zero-2") ? 2 : 0));
        } else if (tensor) {
            PlacementPlan base = Plans.tensorParallel(graph, 2, 2, 1, Schedule.ONE_F_ONE_B);
            plan = base.withOptions(setting.equals("sequence-parallel") ? base.options().withSequenceParallel(true)
                    : base.options().withScatterGather(true));
        } else {
            throw new IllegalArgumentException(setting);
        }
        StepProgram program = Plans.lower(graph, plan);
        TrainOptions options = new TrainOptions(3, ExecutorOptions.defaults(3, 1e-2).withTimeout(Duration.ofSeconds(60)), 9,
                Optional.empty(), Optional.empty());
        TrainResult threads = Trainer.train(graph, program, options, r -> { });
        TrainResult processes = ProcessTrainer.train(graph, Plans.local(plan.devices().size()), program, options,
                LocalWorkers.javaCommand(TestWorkerMain.class.getName(), List.of()), r -> { });
        assertThat(processes.losses()).isEqualTo(threads.losses());
        assertThat(processes.parameterSha256()).isEqualTo(threads.parameterSha256());
    }
}
