package org.modelpar.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.ProfileException;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.ZeroOptimizerCostModel;
import org.modelpar.simulator.cost.HostWork;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.ReduceScatter;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Span;

/**
 * Devices sharing one host (node computeCapacity C): compute and collectives' host work are processor-shared, each
 * of k busy threads at min(1, C / k). Hand-written programs with a forward of 1 s and a backward of 2 s per device.
 */
class SharedComputeTest {
    private final ComputationGraph graph = Fixtures.chain(2, 1.0, 2.0, 0, 0, 0);
    private final ClusterSpec independent = Fixtures.cluster(1, 2, new LinkProfile(1e9, 1e-6), new LinkProfile(1e9, 1e-6));
    private final PlacementPlan plan = Fixtures.plan(graph, independent, Fixtures.oneDeviceEach(2), 1, 1,
            Schedule.GPIPE, 1, false, Precision.FP32, OptimizerKind.SGD);

    private StepRun run(ClusterSpec cluster, Direction second) {
        StepProgram program = new StepProgram(plan, List.of(
                new DeviceProgram("n0g0", 0, 0, 0, List.of(new Compute(0, 0, Direction.FORWARD, false))),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Compute(1, 0, second, false)))));
        return Engine.run(program, PlanValidator.validate(plan, graph, cluster), cluster, new RooflineCostModel(), false);
    }

    private ClusterSpec shared(double capacity) {
        return new ClusterSpec("shared", independent.devices(), independent.intraNode(), independent.interNode(), Map.of(),
                Map.of("n0", capacity));
    }

    @Test
    void independentDevicesKeepTheirProfiledTimes() {
        StepRun r = run(independent, Direction.BACKWARD);
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(1.0, offset(1e-12));
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(2.0, offset(1e-12));
        StepRun full = run(shared(2.0), Direction.BACKWARD);
        assertThat(full.timeline().spans().get(0).endSeconds()).isCloseTo(1.0, offset(1e-12));
        assertThat(full.timeline().spans().get(1).endSeconds()).isCloseTo(2.0, offset(1e-12));
    }

    @Test
    void twoBusyDevicesEachRunAtHalfTheCapacity() {
        StepRun r = run(shared(1.5), Direction.FORWARD);
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(1.0 / 0.75, offset(1e-12));
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(1.0 / 0.75, offset(1e-12));
    }

    @Test
    void aDeviceLeftAloneRunsAtFullSpeedAgain() {
        StepRun r = run(shared(1.5), Direction.BACKWARD);
        // both at 0.75 until the forward's 1 s of work is done at 4/3 s; the backward has 1 s left, alone at rate 1
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(4.0 / 3, offset(1e-12));
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(4.0 / 3 + 1.0, offset(1e-12));
        // one device on a capacity-1 host: the two run one after the other in effect
        StepRun serial = run(shared(1.0), Direction.BACKWARD);
        assertThat(serial.timeline().spans().get(1).endSeconds()).isCloseTo(3.0, offset(1e-12));
    }

    /** Every collective's host work takes half a second of a core, its link 1,000 bytes: 2 latencies + 1 us. */
    private static final class HalfSecondHostWork extends ZeroOptimizerCostModel {
        @Override
        public double hostSeconds(DeviceProfile device, HostWork work) {
            return work.kernelCalls() > 0 ? 0.5 : 0;
        }
    }

    /** No host work; each member's transport spends 0.25 ms a byte it sends or receives: 0.5 s for 1,000 bytes each way. */
    private static final class TransportCpu extends ZeroOptimizerCostModel {
        @Override
        public double hostSeconds(DeviceProfile device, HostWork work) {
            return 0;
        }

        @Override
        public double transportCpuSeconds(double bytes) {
            return 2.5e-4 * bytes;
        }
    }

    private StepRun runWithAllReduce(ClusterSpec cluster, boolean overlapped) {
        return runWithAllReduce(cluster, overlapped, new HalfSecondHostWork());
    }

    private StepRun runWithAllReduce(ClusterSpec cluster, boolean overlapped, ZeroOptimizerCostModel cost) {
        AllReduce all = new AllReduce(0, List.of("n0g0", "n0g1"), 1000, "", overlapped, overlapped ? 2 : 1);
        List<DeviceProgram> programs = new ArrayList<>();
        for (int stage = 0; stage < 2; stage++) {
            Compute forward = new Compute(stage, 0, Direction.FORWARD, false);
            programs.add(new DeviceProgram("n0g" + stage, stage, 0, 0, overlapped ? List.of(all, forward) : List.of(forward, all)));
        }
        StepProgram program = new StepProgram(plan, programs);
        return Engine.run(program, PlanValidator.validate(plan, graph, cluster), cluster, cost, false);
    }

    @Test
    void aCollectivesHostWorkSharesTheCoresAfterItsTransfer() {
        // forwards of 1 s at 0.75 end at 4/3; the ring waits 2 us and moves 1,000 bytes in 1 us; the two 0.5 s of host
        // work then run at 0.75 each: 2/3 s
        StepRun r = runWithAllReduce(shared(1.5), false);
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(4.0 / 3 + 3e-6 + 2.0 / 3, offset(1e-9));
        // no shared host: no host work, the collective ends with its transfer
        StepRun gpus = runWithAllReduce(independent, false);
        assertThat(gpus.timeline().spans().get(1).endSeconds()).isCloseTo(1.0 + 3e-6, offset(1e-9));
    }

    @Test
    void anOverlappedCollectivesHostWorkRunsOnTheCommunicationThread() {
        // C = 2, two buckets: the first runs beside the forwards (2 latencies of 1 us, 500 bytes in 0.5 us, then 0.25 s
        // of host work each): four threads share two cores at 0.5 each, so the host work ends at 0.5 s + 2.5 us and
        // each forward, 0.25 s + 2.5 us done by then, finishes alone at 1.25 s; the last bucket then runs after the
        // forwards (its gradients come last): 2.5 us and 0.25 s of host work at full speed
        StepRun r = runWithAllReduce(shared(2.0), true);
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(1.25, offset(1e-9));
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(1.25 + 2.5e-6 + 0.25, offset(1e-9));
    }

    @Test
    void aTransportsCpuSharesTheCoresWhileItsMessagesTravelAndDelaysNothingElse() {
        // C = 2, two buckets of an all-reduce overlapped with 1 s forwards: the first bucket's transport starts after its
        // 2 latencies of 1 us, 0.25 s of CPU on each member (half of 1,000 bytes sent and received); four threads share two
        // cores at 0.5 each until 0.5 s + 2 us, when each forward has 0.75 s - 2 us left, alone at full speed: 1.25 s.
        // The last bucket runs after the forwards, and its collective ends with its transfer (2.5 us): nothing waits for
        // the transport's CPU.
        StepRun r = runWithAllReduce(shared(2.0), true, new TransportCpu());
        assertThat(r.timeline().spans().get(1).endSeconds()).isCloseTo(1.25, offset(1e-9));
        assertThat(r.timeline().spans().get(0).endSeconds()).isCloseTo(1.25 + 2.5e-6, offset(1e-9));
        // no shared host: the transport takes no core the forwards compute on
        StepRun gpus = runWithAllReduce(independent, true, new TransportCpu());
        assertThat(gpus.timeline().spans().get(1).endSeconds()).isCloseTo(1.0, offset(1e-9));
    }

    @Test
    void aSentMessagesTransportLoadsItsSenderAndItsReceiver() {
        // C = 2: n0g1's 2 s backward runs beside n0g0's 1 s forward, which then sends 1,000 bytes (1 us latency, 1 us on
        // the link); its transport spends 0.25 s of CPU on each side from 1 s + 1 us, three threads on two cores at 2/3
        // each until 1.375 s + 1 us, when the backward, 1.25 s + 1 us done, finishes alone: 2.125 s
        StepProgram program = new StepProgram(plan, List.of(
                new DeviceProgram("n0g0", 0, 0, 0, List.of(new Compute(0, 0, Direction.FORWARD, false),
                        new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 1000, 0, 1))),
                new DeviceProgram("n0g1", 1, 0, 0, List.of(new Compute(1, 0, Direction.BACKWARD, false),
                        new Recv(1, 0, 0, Payload.ACTIVATION, "n0g0", 1000, 0, 1)))));
        ClusterSpec cluster = shared(2.0);
        StepRun r = Engine.run(program, PlanValidator.validate(plan, graph, cluster), cluster, new TransportCpu(), false);
        Span backward = r.timeline().spans().stream().filter(sp -> sp.instruction() instanceof Compute c
                && c.direction() == Direction.BACKWARD).findFirst().orElseThrow();
        assertThat(backward.endSeconds()).isCloseTo(2.125, offset(1e-9));
    }

    /**
     * A ZeRO unit's gradient reduce-scatter between a forward (1 s) and a backward (2 s) of each device: on a shared
     * host (C = 2) it holds the compute thread, as the executor's CPU workers run it, so each backward starts after its
     * ring (1 latency of 1 us and 500 bytes in 0.5 us) and its 0.5 s of host work: 1.5 s + 1.5 us, ending 2 s later; on
     * devices of their own it overlaps the backward, which ends at 3 s.
     */
    @Test
    void aUnitsReduceScatterHoldsTheComputeThreadOnASharedHost() {
        ComputationGraph withParameters = Fixtures.chain(2, 1.0, 2.0, 0, 4000, 0);
        PlacementPlan zero = Fixtures.plan(withParameters, independent, Fixtures.oneDeviceEach(2), 1, 1, Schedule.GPIPE, 1, false,
                Precision.FP32, OptimizerKind.SGD);
        ReduceScatter unit = new ReduceScatter(0, List.of("n0g0", "n0g1"), 1000, true, 0, 0);
        List<DeviceProgram> programs = new ArrayList<>();
        for (int stage = 0; stage < 2; stage++) {
            programs.add(new DeviceProgram("n0g" + stage, stage, 0, 0, List.of(new Compute(stage, 0, Direction.FORWARD, false),
                    unit, new Compute(stage, 0, Direction.BACKWARD, false))));
        }
        StepProgram program = new StepProgram(zero, programs);
        for (ClusterSpec cluster : List.of(shared(2.0), independent)) {
            StepRun r = Engine.run(program, PlanValidator.validate(zero, withParameters, cluster), cluster, new HalfSecondHostWork(),
                    false);
            double backwardEnd = r.timeline().spans().stream().filter(sp -> sp.instruction() instanceof Compute c
                    && c.direction() == Direction.BACKWARD).mapToDouble(sp -> sp.endSeconds()).max().orElseThrow();
            assertThat(backwardEnd).as(cluster.name()).isCloseTo(cluster == independent ? 3.0 : 3.5 + 1.5e-6, offset(1e-9));
        }
    }

    /**
     * Two unit reduce-scatters after a backward that ends at 3 s (a ZeRO stage-2 backward's, one per unit): on a shared host
     * the executor's CPU worker runs them on its compute thread, so the second starts as the first ends (each paying its
     * ring's latency); on devices of their own both start with the backward's end and overlap.
     */
    @Test
    void aSharedHostsUnitReduceScattersRunOneAfterAnother() {
        ComputationGraph withParameters = Fixtures.chain(2, 1.0, 2.0, 0, 4000, 0);
        PlacementPlan zero = Fixtures.plan(withParameters, independent, Fixtures.oneDeviceEach(2), 1, 1, Schedule.GPIPE, 1, false,
                Precision.FP32, OptimizerKind.SGD);
        List<DeviceProgram> programs = new ArrayList<>();
        for (int stage = 0; stage < 2; stage++) {
            programs.add(new DeviceProgram("n0g" + stage, stage, 0, 0, List.of(new Compute(stage, 0, Direction.FORWARD, false),
                    new Compute(stage, 0, Direction.BACKWARD, false),
                    new ReduceScatter(0, List.of("n0g0", "n0g1"), 1000, true, 0, 0),
                    new ReduceScatter(0, List.of("n0g0", "n0g1"), 1000, true, 1, 0))));
        }
        StepProgram program = new StepProgram(zero, programs);
        for (ClusterSpec cluster : List.of(shared(2.0), independent)) {
            StepRun r = Engine.run(program, PlanValidator.validate(zero, withParameters, cluster), cluster, new HalfSecondHostWork(),
                    false);
            List<Span> units = r.timeline().spans().stream()
                    .filter(sp -> sp.device().equals("n0g0") && sp.instruction() instanceof ReduceScatter).toList();
            assertThat(units).hasSize(2);
            assertThat(units.get(0).startSeconds()).as(cluster.name()).isCloseTo(3.0, offset(1e-9));
            // shared: the first's ring (1 us latency, 500 bytes in 0.5 us) and its 0.5 s of host work, then the second
            assertThat(units.get(1).startSeconds()).as(cluster.name())
                    .isCloseTo(cluster == independent ? 3.0 : units.get(0).endSeconds(), offset(1e-9))
                    .isCloseTo(cluster == independent ? 3.0 : 3.5 + 1.5e-6, offset(1e-9));
        }
    }

    @Test
    void capacityOutsideOneToTheDeviceCountIsRefused() {
        assertThatThrownBy(() -> shared(2.5)).isInstanceOf(ProfileException.class)
                .hasMessageContaining("node 'n0' computeCapacity must be between 1 and its 2 devices, got 2.5");
        assertThatThrownBy(() -> shared(0.5)).isInstanceOf(ProfileException.class);
    }
}
