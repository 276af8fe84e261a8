package org.modelpar.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ByteSize;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * What a local run must fit, in closed form over the memory model's devices and the model's parameter bytes p: with
 * worker threads every device and the calibration (its timed model 2p, the host-sharing probe 2p per device) in this
 * process; with worker processes the largest device and its own timed model in a worker, the calibration in this one.
 * A 4-stage mlp's devices are small beside the calibration of 10p: the coordinator is the larger process.
 */
class MachineMemoryTest {
    private final ComputationGraph graph = ModelZoo.build("mlp:layers=4,width=64");
    private final ClusterSpec cluster = LocalCluster.of(4, Path.of("target", "no-modelpar-home"), ProfileLimits.DEFAULT);
    private final PlacementPlan plan = stages(graph, 4);
    private final long p = graph.parameterBytes();
    private final List<Long> devices = MemoryModel.perDevice(graph, cluster, plan).values().stream().map(MemoryBreakdown::total).toList();

    @Test
    void workerThreadsNeedEveryDeviceAndTheCalibrationHere() {
        long needed = devices.stream().mapToLong(Long::longValue).sum() + 10 * p;
        assertThatCode(() -> MachineMemory.requireTrainable(graph, cluster, plan, false, needed)).doesNotThrowAnyException();
        assertThatThrownBy(() -> MachineMemory.requireTrainable(graph, cluster, plan, false, needed - 1))
                .isInstanceOf(WorkflowException.class)
                .hasMessageStartingWith("training " + graph.name() + " needs " + ByteSize.format(needed) + " (4 devices'")
                .hasMessageContaining(ByteSize.format(10 * p) + " to time its kernels and the host's sharing");
    }

    @Test
    void workerProcessesNeedTheLargerOfAWorkerAndTheCoordinator() {
        long worker = devices.stream().mapToLong(Long::longValue).max().orElseThrow() + 2 * p;
        long coordinator = 10 * p;
        long needed = Math.max(worker, coordinator);
        assertThatCode(() -> MachineMemory.requireTrainable(graph, cluster, plan, true, needed)).doesNotThrowAnyException();
        assertThatThrownBy(() -> MachineMemory.requireTrainable(graph, cluster, plan, true, needed - 1))
                .isInstanceOf(WorkflowException.class)
                .hasMessageStartingWith("training " + graph.name() + " needs " + ByteSize.format(worker)
                        + " in its largest worker process (its device's memory and " + ByteSize.format(2 * p)
                        + " to time its kernels) and " + ByteSize.format(coordinator) + " in this one");
        // the coordinator's calibration is the larger here: a cap that fits the worker alone is refused
        assertThat(coordinator).isGreaterThan(worker);
        assertThatThrownBy(() -> MachineMemory.requireTrainable(graph, cluster, plan, true, worker)).isInstanceOf(WorkflowException.class);
    }

    private static PlacementPlan stages(ComputationGraph graph, int count) {
        List<String> ops = graph.topologicalOrder().stream().map(OpNode::id).toList();
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            stages.add(new Stage(s, List.of("cpu" + s), ops.subList(s * ops.size() / count, (s + 1) * ops.size() / count), false));
        }
        return new PlacementPlan(graph.name(), "", "local", "", Precision.FP32, OptimizerKind.ADAM, 4, 4, 1, Schedule.GPIPE, 1,
                stages);
    }
}
