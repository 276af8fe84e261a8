package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.ReduceScatter;

/**
 * ZeRO stages 1-3 on one stage of four layers of 1e6 parameters each, d = 4 replicas of one device, bf16 with
 * Adam (2 + 2 + 12 bytes per parameter); P = 4e6 parameters per device unsharded, a shard 1e6.
 */
class ZeroTest {
    private static final long LAYER = 1_000_000;
    private static final double C = 1e9;
    private static final List<String> DEVICES = List.of("n0g0", "n0g1", "n0g2", "n0g3");
    private final ComputationGraph g = Fixtures.chain(4, 0, 0, 0, 4 * LAYER, 0);
    private final ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(C, 0), new LinkProfile(C, 0));

    private PlacementPlan plan(int zeroStage, int microBatches) {
        return new PlacementPlan("chain", "", "test", "", Precision.BF16, OptimizerKind.ADAM, 4 * microBatches, 4,
                microBatches, Schedule.ONE_F_ONE_B, 1, List.of(new Stage(0, DEVICES, List.of("op0", "op1", "op2", "op3"), false)),
                PlanOptions.NONE.withZeroStage(zeroStage));
    }

    private MemoryBreakdown state(int zeroStage) {
        return MemoryModel.perDevice(g, c, plan(zeroStage, 1)).get("n0g0");
    }

    @Test
    void stateBytesPerDeviceByStage() {
        assertThat(state(0)).extracting(MemoryBreakdown::parameters, MemoryBreakdown::gradients, MemoryBreakdown::optimizer)
                .containsExactly(2 * 4 * LAYER, 2 * 4 * LAYER, 12 * 4 * LAYER);
        assertThat(state(1)).extracting(MemoryBreakdown::parameters, MemoryBreakdown::gradients, MemoryBreakdown::optimizer)
                .containsExactly(2 * 4 * LAYER, 2 * 4 * LAYER, 12 * LAYER);
        // stage 2: the gradient shard, plus the whole gradients of two layers not yet reduce-scattered
        assertThat(state(2)).extracting(MemoryBreakdown::parameters, MemoryBreakdown::gradients, MemoryBreakdown::optimizer)
                .containsExactly(2 * 4 * LAYER, 2 * LAYER + 2 * 2 * LAYER, 12 * LAYER);
        // stage 3: the shard, plus two layers gathered at once (the running one and the prefetched one); gradients as stage 2
        assertThat(state(3)).extracting(MemoryBreakdown::parameters, MemoryBreakdown::gradients, MemoryBreakdown::optimizer)
                .containsExactly(2 * LAYER + 2 * 2 * LAYER, 2 * LAYER + 2 * 2 * LAYER, 12 * LAYER);
    }

    @Test
    void communicationByStage() {
        long bytes = 2 * 4 * LAYER; // bf16 gradients, and bf16 parameters, of the whole stage
        List<Instruction> z0 = Lowering.lower(g, c, plan(0, 2)).programs().get(0).instructions();
        assertThat(z0).contains(new AllReduce(0, DEVICES, bytes));
        List<Instruction> z1 = Lowering.lower(g, c, plan(1, 2)).programs().get(0).instructions();
        assertThat(z1.subList(z1.size() - 3, z1.size())).extracting(Instruction::name)
                .containsExactly("reducescatter s0", "optimizer s0", "allgather params s0");
        assertThat(z1).contains(new ReduceScatter(0, DEVICES, bytes, false), new AllGather(0, DEVICES, bytes, AllGather.Phase.AFTER_STEP, 0));
        // free compute and optimizer: the step is the ring collectives, (d-1)/d x S each
        SimulationOptions free = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
        double pass = 3 / 4.0 * bytes / C;
        assertThat(Simulator.simulate(g, c, plan(0, 2), free).stepSeconds()).isCloseTo(2 * pass, offset(1e-12));
        assertThat(Simulator.simulate(g, c, plan(1, 2), free).stepSeconds()).isCloseTo(2 * pass, offset(1e-12));
    }

    /**
     * Stage 2 runs every backward layer by layer from the last, each layer's part followed by the reduce-scatter of its
     * gradients (2 MB), and gathers the updated parameters after the step: with free compute, m = 2 micro-batches of 4
     * reduce-scatters of 3/4 x 2 MB and one gather of 3/4 x 8 MB, (m + 1) passes of stage 1's, which takes 2.
     */
    @Test
    void stageTwoReduceScattersEachLayerAfterItsPartOfEveryBackward() {
        List<Instruction> z2 = Lowering.lower(g, c, plan(2, 2)).programs().get(0).instructions();
        List<String> names = z2.stream().map(Instruction::name).toList();
        assertThat(names.subList(names.indexOf("B s0 mb0 u3"), names.indexOf("free s0 mb0"))).containsExactly(
                "B s0 mb0 u3", "reducescatter s0 mb0 u3", "B s0 mb0 u2", "reducescatter s0 mb0 u2",
                "B s0 mb0 u1", "reducescatter s0 mb0 u1", "B s0 mb0 u0", "reducescatter s0 mb0 u0");
        assertThat(z2).filteredOn(i -> i instanceof ReduceScatter).hasSize(8).allMatch(i -> i.bytes() == 2 * LAYER);
        assertThat(z2).filteredOn(i -> i instanceof AllGather).containsExactly(
                new AllGather(0, DEVICES, 2 * 4 * LAYER, AllGather.Phase.AFTER_STEP, 0));
        SimulationOptions free = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
        double pass = 3 / 4.0 * 2 * 4 * LAYER / C;
        assertThat(Simulator.simulate(g, c, plan(2, 2), free).stepSeconds()).isCloseTo(3 * pass, offset(1e-12));
        assertThat(Simulator.simulate(g, c, plan(2, 4), free).stepSeconds()).isCloseTo(5 * pass, offset(1e-12));
    }

    /**
     * Stage 2's reduce-scatters overlap the rest of the backward: with a forward free and each layer's backward 2 ms, one
     * micro-batch's parts end at 2, 4, 6, 8 ms, each followed by its reduce-scatter of 1.5 ms (3/4 x 2 MB at 1 GB/s), the
     * last to 9.5 ms; then the 6 ms gather (3/4 x 8 MB): 15.5 ms, where reducing after the whole backward would take
     * 8 + 6 + 6.
     */
    @Test
    void stageTwoReduceScattersOverlapTheRestOfTheBackward() {
        SimulationOptions timed = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel() {
            @Override
            public double forwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
                return 0;
            }

            @Override
            public double backwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
                return 2e-3;
            }
        });
        assertThat(Simulator.simulate(g, c, plan(2, 1), timed).stepSeconds()).isCloseTo(15.5e-3, offset(1e-12));
    }

    /**
     * Stage 3 runs every pass layer by layer (4 units of 1e6 parameters, bf16: 2 MB gathered and 2 MB of gradients
     * reduce-scattered per unit), gathering one unit ahead and reduce-scattering each unit after its backward.
     */
    @Test
    void stageThreeGathersAndReduceScattersPerLayer() {
        List<Instruction> z3 = Lowering.lower(g, c, plan(3, 2)).programs().get(0).instructions();
        List<String> names = z3.stream().map(Instruction::name).toList();
        assertThat(names.subList(0, 8)).containsExactly("allgather params F s0 mb0 u0", "allgather params F s0 mb0 u1",
                "F s0 mb0 u0", "allgather params F s0 mb0 u2", "F s0 mb0 u1", "allgather params F s0 mb0 u3", "F s0 mb0 u2",
                "F s0 mb0 u3");
        assertThat(names.subList(8, 21)).containsExactly("allgather params B s0 mb0 u3", "allgather params B s0 mb0 u2",
                "B s0 mb0 u3", "reducescatter s0 mb0 u3", "allgather params B s0 mb0 u1", "B s0 mb0 u2",
                "reducescatter s0 mb0 u2", "allgather params B s0 mb0 u0", "B s0 mb0 u1", "reducescatter s0 mb0 u1",
                "B s0 mb0 u0", "reducescatter s0 mb0 u0", "free s0 mb0");
        assertThat(names.get(names.size() - 1)).isEqualTo("optimizer s0");
        assertThat(z3).filteredOn(i -> i instanceof AllGather).hasSize(16).allMatch(i -> i.bytes() == 2 * LAYER);
        assertThat(z3).filteredOn(i -> i instanceof ReduceScatter).hasSize(8).allMatch(i -> i.bytes() == 2 * LAYER);
        assertThat(z3).contains(new AllGather(0, DEVICES, 2 * LAYER, AllGather.Phase.FORWARD, 1, 2, true),
                new ReduceScatter(0, DEVICES, 2 * LAYER, true, 1, 3));
        // free compute: the ring is never idle, so the step is 3 collectives per unit and micro-batch of 3/4 x 2 MB
        SimulationOptions free = SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel());
        SimulationReport r = Simulator.simulate(g, c, plan(3, 2), free);
        assertThat(r.stepSeconds()).isCloseTo(2 * 4 * 3 * (3 / 4.0 * 2 * LAYER / C), offset(1e-12));
        // two units gathered at once: the running one and the prefetched one
        assertThat(r.devices().get("n0g0").memory().parameters()).isEqualTo(2 * LAYER + 2 * 2 * LAYER);
    }

    @Test
    void theStageIsZeroToThree() {
        assertThatThrownBy(() -> PlanOptions.NONE.withZeroStage(4)).isInstanceOf(PlanException.class)
                .hasMessage("zeroStage must be 0, 1, 2 or 3, got 4");
    }
}
