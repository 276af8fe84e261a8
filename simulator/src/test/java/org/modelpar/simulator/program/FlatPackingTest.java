package org.modelpar.simulator.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.ZeroOptimizerCostModel;
import org.modelpar.simulator.cost.HostWork;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * The packing of a collective's tensors priced on a shared host: a chain of 4 linear ops of 1,000 parameters (one tensor each: the test device
 * lists no launch counts) on one stage of 2 replicas of one host (capacity 2), free compute and links, every host call
 * 1 ms.
 */
class FlatPackingTest {
    private static final List<String> TWO = List.of("n0g0", "n0g1");
    private final ComputationGraph graph = Fixtures.chain(4, 0, 0, 0, 4000, 0);
    private final ClusterSpec free = Fixtures.cluster(1, 2, new LinkProfile(1e30, 0), new LinkProfile(1e30, 0));
    private final ClusterSpec shared = new ClusterSpec("shared", free.devices(), free.intraNode(), free.interNode(), Map.of(),
            Map.of("n0", 2.0));

    private PlacementPlan plan(int zeroStage) {
        return new PlacementPlan("chain", "", "shared", "", Precision.FP32, OptimizerKind.SGD, 2, 2, 1, Schedule.GPIPE, 1,
                List.of(new Stage(0, TWO, List.of("op0", "op1", "op2", "op3"), false)), PlanOptions.NONE.withZeroStage(zeroStage));
    }

    /** Host work in calls only: 1 ms each. */
    private static final class MillisecondCalls extends ZeroOptimizerCostModel {
        @Override
        public double hostSeconds(DeviceProfile device, HostWork work) {
            return work.kernelCalls() * 1e-3;
        }
    }

    private double step(int zeroStage) {
        return Simulator.simulate(graph, shared, plan(zeroStage), SimulationOptions.defaults().withCostModel(new MillisecondCalls()))
                .stepSeconds();
    }

    @Test
    void zeroOnePacksAroundItsReduceScatterAndGather() {
        PlacementPlan z1 = plan(1);
        var layout = PlanValidator.validate(z1, graph, shared);
        DeviceProfile device = shared.devices().get(0).profile();
        // the gradients (S = 4 x 4,000 bytes) over 2: 1 flat zeroed and 4 x 2 parts copied in (3S), 4 tensors zeroed (S)
        // and their 4 own parts copied back (2S / 2)
        assertThat(new FlatPacking(layout).of(new ReduceScatter(0, TWO, 16_000, false), device))
                .isEqualTo(HostWork.zeroReduceScatter(16_000, 2, 4, 1, false)).isEqualTo(new HostWork(80_000, 17));
        // the parameters: 1 + 4 x 2 calls in (3S), 4 x 2 out (2S)
        assertThat(new FlatPacking(layout).of(new AllGather(0, TWO, 16_000, AllGather.Phase.AFTER_STEP, 0), device))
                .isEqualTo(new HostWork(80_000, 17));
    }

    /**
     * A data-parallel all-reduce copies each of its 4 tensors into its bucket's flat vector and back, one call each way:
     * 8 calls, of which the all-reduce counts 2 a bucket; a tied weight's (one tensor) and one over a single device none.
     */
    @Test
    void theAllReduceCopiesEachTensorInAndOut() {
        FlatPacking packing = new FlatPacking(PlanValidator.validate(plan(0), graph, shared));
        DeviceProfile device = shared.devices().get(0).profile();
        assertThat(packing.of(new AllReduce(0, TWO, 16_000), device)).isEqualTo(new HostWork(0, 6));
        assertThat(packing.of(new AllReduce(0, TWO, 16_000, "", true, 2), device)).isEqualTo(new HostWork(0, 4));
        assertThat(packing.of(new AllReduce(0, TWO, 16_000, "", true, 4), device)).isEqualTo(HostWork.NONE);
        assertThat(packing.of(new AllReduce(0, TWO, 4_000, "op0"), device)).isEqualTo(HostWork.NONE);
        assertThat(packing.of(new AllReduce(0, List.of("n0g0"), 16_000), device)).isEqualTo(HostWork.NONE);
        assertThat(HostWork.perTensorCopies(4, 1)).isEqualTo(new HostWork(0, 6));
        assertThat(HostWork.perTensorCopies(1, 3)).isEqualTo(HostWork.NONE);
    }

    /**
     * ZeRO 3 on two devices whose runtime holds two tensors per linear (weight and bias), links of 1 ms latency and no
     * bandwidth cost, free compute and host work: each of the 4 units is gathered before its forward and its backward,
     * one gather after another (8 ms), and its gradient reduce-scattered after the backward beside the next gather, the
     * last one after the last backward (1 ms): each collective pays the ring's latency once (a unit's tensors travel in
     * one message a ring step), not once per tensor (17 ms), as on a device of one tensor per linear; nothing is packed.
     */
    @Test
    void zeroThreeGathersAUnitsTensorsInOneRing() {
        DeviceProfile twoTensors = shared.devices().get(0).profile().withKernelLaunches(new KernelLaunches(
                Map.of("linear", new KernelLaunches.OpLaunches(3, 8, 2)), Map.of()));
        ClusterSpec slow = new ClusterSpec("slow", shared.devices().stream()
                .map(d -> new ClusterDevice(d.id(), d.node(), twoTensors)).toList(),
                new LinkProfile(1e30, 1e-3), new LinkProfile(1e30, 1e-3), Map.of(), Map.of());
        var layout = PlanValidator.validate(plan(3), graph, slow);
        AllGather unit = new AllGather(0, TWO, 4000, AllGather.Phase.FORWARD, 0, 1, true);
        assertThat(new FlatPacking(layout).of(unit, twoTensors)).isEqualTo(HostWork.NONE);
        SimulationOptions free = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
        assertThat(Simulator.simulate(graph, slow, plan(3), free).stepSeconds()).isCloseTo(9e-3, offset(1e-9));
        ClusterSpec oneTensor = new ClusterSpec("one", shared.devices(), slow.intraNode(), slow.interNode(), Map.of(), Map.of());
        assertThat(Simulator.simulate(graph, oneTensor, plan(3), free).stepSeconds()).isCloseTo(9e-3, offset(1e-9));
    }

    @Test
    void theStepPaysThePackingOnTheDevicesCores() {
        // without ZeRO one all-reduce: its 4 tensors copied in and out (8 calls), one reduce-scatter and one all-gather step
        assertThat(step(0)).isCloseTo(10e-3, offset(1e-9));
        // ZeRO 1: the reduce-scatter's 1 step + 17 packing calls, then the gather's 1 + 17, the two devices in parallel
        assertThat(step(1)).isCloseTo(36e-3, offset(1e-9));
    }
}
