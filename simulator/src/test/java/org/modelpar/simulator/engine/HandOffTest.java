package org.modelpar.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.ZeroOptimizerCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
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
import org.modelpar.simulator.timeline.Span;

/**
 * The two sides of a worker's hand-off of a message. A send that holds its device's compute stream
 * ({@code CostModel.senderSeconds}) delays the sender's next compute by that long, each send after the last, and not the
 * message; a device that waited for a message resumes its wake seconds after the message arrived
 * ({@code CostModel.wakeSeconds}), and one busy when it arrives does not wait for it; a device handed the step late
 * ({@code CostModel.startSeconds}) begins it then. Hand-written programs on a chain of 1 s forwards, a link of 1 ms
 * latency.
 */
class HandOffTest {
    private static final double LATENCY = 1e-3;
    private final ComputationGraph graph = Fixtures.chain(2, 1.0, 2.0, 0, 0, 0);
    private final ClusterSpec cluster = Fixtures.cluster(1, 2, new LinkProfile(1e12, LATENCY), new LinkProfile(1e12, LATENCY));
    private final PlacementPlan plan = Fixtures.plan(graph, cluster, Fixtures.oneDeviceEach(2), 1, 2,
            Schedule.GPIPE, 1, false, Precision.FP32, OptimizerKind.SGD);

    /** Device 0 runs F mb0, sends it twice (two receivers' worth) and runs F mb1; device 1 receives and runs F mb0. */
    private List<Span> runSends(double senderSeconds) {
        StepProgram program = new StepProgram(plan, List.of(
                new DeviceProgram("n0g0", 0, 0, 0, List.of(new Compute(0, 0, Direction.FORWARD, false),
                        new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 0, 0, 1),
                        new Send(0, 1, 1, Payload.ACTIVATION, "n0g1", 0, 0, 1),
                        new Compute(0, 1, Direction.FORWARD, false))),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 0, 0, 1),
                        new Recv(1, 0, 1, Payload.ACTIVATION, "n0g0", 0, 0, 1),
                        new Compute(1, 0, Direction.FORWARD, false)))));
        ZeroOptimizerCostModel cost = new ZeroOptimizerCostModel() {
            @Override
            public double senderSeconds(ClusterSpec c, String fromDevice, String toDevice, long bytes) {
                return senderSeconds;
            }
        };
        return run(program, cost);
    }

    private List<Span> run(StepProgram program, ZeroOptimizerCostModel cost) {
        return Engine.run(program, PlanValidator.validate(plan, graph, cluster), cluster, cost, false).timeline().spans();
    }

    @Test
    void sendsHoldTheSendersNextComputeOneAfterAnother() {
        List<Span> held = runSends(0.25);
        assertThat(held.get(3).startSeconds()).isCloseTo(1.0 + 2 * 0.25, offset(1e-12));
        assertThat(held.get(3).endSeconds()).isCloseTo(2.5, offset(1e-12));
        // the messages leave when the sends begin: the receiver is not delayed
        assertThat(held.get(6).startSeconds()).isCloseTo(1.0 + LATENCY, offset(1e-12));
    }

    @Test
    void withoutSenderTimeTheNextComputeFollowsAtOnce() {
        List<Span> free = runSends(0);
        assertThat(free.get(3).startSeconds()).isCloseTo(1.0, offset(1e-12));
        assertThat(free.get(6).startSeconds()).isCloseTo(1.0 + LATENCY, offset(1e-12));
    }

    /**
     * Device 0 runs F mb0, sends it, runs F mb1 and sends it; device 1 receives mb0, runs F mb0, receives mb1 and runs
     * F mb1.
     */
    private StepProgram twoForwardsEach() {
        return new StepProgram(plan, List.of(
                new DeviceProgram("n0g0", 0, 0, 0, List.of(new Compute(0, 0, Direction.FORWARD, false),
                        new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 0, 0, 1),
                        new Compute(0, 1, Direction.FORWARD, false),
                        new Send(0, 1, 1, Payload.ACTIVATION, "n0g1", 0, 1, 1))),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 0, 0, 1),
                        new Compute(1, 0, Direction.FORWARD, false),
                        new Recv(1, 0, 1, Payload.ACTIVATION, "n0g0", 0, 1, 1),
                        new Compute(1, 1, Direction.FORWARD, false)))));
    }

    /**
     * {@link #twoForwardsEach} with device 1 resuming {@code wakeSeconds} after a message it waited for (mb1 arrives while
     * F mb0 still runs).
     */
    private List<Span> runWaits(double wakeSeconds) {
        ZeroOptimizerCostModel cost = new ZeroOptimizerCostModel() {
            @Override
            public double wakeSeconds(ClusterSpec c, String toDevice, String fromDevice, long bytes) {
                return toDevice.equals("n0g1") ? wakeSeconds : 0;
            }
        };
        return run(twoForwardsEach(), cost);
    }

    @Test
    void aDeviceThatWaitedResumesAfterItsWakeAndOneBusyDoesNot() {
        List<Span> spans = runWaits(0.25);
        Span fMb0 = spans.get(5);
        Span fMb1 = spans.get(7);
        assertThat(fMb0.name()).isEqualTo("F s1 mb0");
        assertThat(fMb0.startSeconds()).as("waited for mb0").isCloseTo(1.0 + LATENCY + 0.25, offset(1e-12));
        // mb1 arrives at 2.001, while F mb0 runs until 2.251: F mb1 follows it at once
        assertThat(fMb1.startSeconds()).isCloseTo(fMb0.endSeconds(), offset(1e-12));
        assertThat(spans.get(6).endSeconds()).as("the recv itself ends when the message arrives")
                .isCloseTo(2.0 + LATENCY, offset(1e-12));
        assertThat(spans.get(1).startSeconds()).as("the sender is not delayed").isCloseTo(1.0, offset(1e-12));
    }

    /** {@link #twoForwardsEach} with each device beginning the step at its {@code startSeconds}. */
    private List<Span> runStarts(Map<String, Double> startSeconds) {
        ZeroOptimizerCostModel cost = new ZeroOptimizerCostModel() {
            @Override
            public double startSeconds(ClusterSpec c, String device) {
                return startSeconds.getOrDefault(device, 0.0);
            }
        };
        return run(twoForwardsEach(), cost);
    }

    @Test
    void aDeviceHandedTheStepLateBeginsItThenAndItsMessagesArriveWithoutIt() {
        // the sender begins at 0.5: everything of both devices 0.5 s later
        List<Span> lateSender = runStarts(Map.of("n0g0", 0.5));
        assertThat(lateSender.get(0).startSeconds()).isCloseTo(0.5, offset(1e-12));
        assertThat(lateSender.get(5).startSeconds()).isCloseTo(1.5 + LATENCY, offset(1e-12));
        // the receiver begins at 3: its messages arrive at 1.001 and 2.001 regardless, its forwards run from 3
        List<Span> lateReceiver = runStarts(Map.of("n0g1", 3.0));
        assertThat(lateReceiver.get(4).endSeconds()).as("recv mb0").isCloseTo(1.0 + LATENCY, offset(1e-12));
        assertThat(lateReceiver.get(5).startSeconds()).as("F s1 mb0").isCloseTo(3.0, offset(1e-12));
        assertThat(lateReceiver.get(7).startSeconds()).as("F s1 mb1").isCloseTo(4.0, offset(1e-12));
        assertThat(lateReceiver.get(0).startSeconds()).isZero();
    }

    @Test
    void withoutWakeTheWaitingDeviceResumesWhenTheMessageArrives() {
        List<Span> spans = runWaits(0);
        assertThat(spans.get(5).startSeconds()).isCloseTo(1.0 + LATENCY, offset(1e-12));
        assertThat(spans.get(7).startSeconds()).isCloseTo(2.0 + LATENCY, offset(1e-12));
    }
}
