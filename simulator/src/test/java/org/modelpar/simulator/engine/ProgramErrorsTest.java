package org.modelpar.simulator.engine;

import org.modelpar.simulator.timeline.TimelineStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.ParallelConfig;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.StageBalancer;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;

/** Hand-written programs the engine must refuse with a message naming device and instruction. */
class ProgramErrorsTest {
    private final ClusterSpec cluster = Fixtures.freeCluster(2);
    private final ComputationGraph graph = Fixtures.chain(2, 1, 1, 0, 0, 4);
    private final PlacementPlan plan = Fixtures.plan(graph, cluster, Fixtures.oneDeviceEach(2), 1, 2, Schedule.GPIPE, 1,
            false, Precision.FP32, OptimizerKind.SGD);
    private final PlanLayout layout = PlanValidator.validate(plan, graph, cluster);

    private StepRun run(DeviceProgram a, DeviceProgram b) {
        return Engine.run(new StepProgram(plan, List.of(a, b)), layout, cluster, new RooflineCostModel(), false);
    }

    @Test
    void recvWithoutSend() {
        assertThatThrownBy(() -> run(new DeviceProgram("n0g0", 0, 0, 0, List.of()),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 4, 0, 1)))))
                .isInstanceOf(PlanException.class)
                .hasMessage("device 'n0g1': 'recv act s0>s1 mb0' from 'n0g0' has no matching send");
    }

    @Test
    void sendsAndRecvsInDifferentOrder() {
        assertThatThrownBy(() -> run(
                new DeviceProgram("n0g0", 0, 0, 0, List.of(new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 4, 0, 1),
                        new Send(0, 1, 1, Payload.ACTIVATION, "n0g1", 4, 0, 1))),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Recv(1, 0, 1, Payload.ACTIVATION, "n0g0", 4, 0, 1),
                        new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 4, 0, 1)))))
                .hasMessage("device 'n0g1': 'recv act s0>s1 mb1' does not match the next send of 'n0g0', which is 'send act s0>s1 mb0'");
    }

    /** Two stage pairs on one device pair (model chunks) may order their messages differently on the two sides. */
    @Test
    void stagePairsSharingADevicePairMatchByStage() {
        assertThatCode(() -> run(
                new DeviceProgram("n0g0", 0, 0, 0, List.of(new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 4, 0, 1),
                        new Send(2, 1, 0, Payload.ACTIVATION, "n0g1", 8, 0, 1))),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Recv(1, 2, 0, Payload.ACTIVATION, "n0g0", 8, 0, 1),
                        new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 4, 0, 1)))))
                .doesNotThrowAnyException();
    }

    @Test
    void circularWaitIsADeadlock() {
        // each device waits for the other's activations before computing the forward that sends them
        DeviceProgram a = new DeviceProgram("n0g0", 0, 0, 0, List.of(new Recv(0, 1, 0, Payload.GRADIENT, "n0g1", 4, 0, 1),
                new Compute(0, 0, Direction.FORWARD, false), new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 4, 0, 1)));
        DeviceProgram b = new DeviceProgram("n0g1", 1, 0, 0, List.of(new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 4, 0, 1),
                new Compute(1, 0, Direction.FORWARD, false), new Send(1, 0, 0, Payload.GRADIENT, "n0g0", 4, 0, 1)));
        assertThatThrownBy(() -> run(a, b)).hasMessage("step program deadlocks: 'recv grad s1>s0 mb0' on device 'n0g0' never completes");
    }

    @Test
    void heterogeneousClusterSimulatesWithEachDevicesSpeed() {
        ComputationGraph gpt = ModelZoo.build("gpt-tiny");
        ClusterSpec mixed = Clusters.resolve("mixed-a100-v100");
        PlacementPlan p = StageBalancer.plan(gpt, mixed, new ParallelConfig(2, 1, 8, 4, 1, Schedule.ONE_F_ONE_B, false,
                Precision.FP16, OptimizerKind.ADAM), new RooflineCostModel());
        SimulationReport r = Simulator.simulate(gpt, mixed, p);
        assertThat(r.stepSeconds()).isPositive();
        assertThat(r.devices().get("n1g0").busyFraction()).isNotEqualTo(r.devices().get("n0g0").busyFraction());
    }
}
