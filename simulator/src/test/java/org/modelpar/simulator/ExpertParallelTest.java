package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.ExpertAllReduce;
import org.modelpar.simulator.program.ExpertAllToAll;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;

/**
 * A tiny mixture of experts (router, 4 experts of 1e6 parameters, combine; free compute), fp32 SGD (4 + 4 bytes
 * per parameter), one stage of d = 4 replicas of one sample each, expert-parallel degree 2, links of 1 GB/s.
 * Per sample each expert receives 1000 bytes of tokens and 10 of routing weights (which stay on the member) and returns
 * 1000 bytes.
 */
class ExpertParallelTest {
    private static final double C = 1e9;
    private static final List<String> DEVICES = List.of("n0g0", "n0g1", "n0g2", "n0g3");
    private final ComputationGraph g = moe();
    private final ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(C, 0), new LinkProfile(C, 0));

    private static ComputationGraph moe() {
        Map<String, MeasuredTime> free = Map.of(Fixtures.GPU, new MeasuredTime(0, 0));
        List<OpNode> ops = new ArrayList<>(List.of(new OpNode("in", "in", "linear", "embed", 0, 0, 0, 250, 0, free, Map.of()),
                new OpNode("router", "router", "moe-router", "block0", 0, 0, 0, 3, 0, free, Map.of())));
        List<TensorEdge> tensors = new ArrayList<>(List.of(new TensorEdge("r", "in", "router", 1000)));
        for (int j = 0; j < 4; j++) {
            ops.add(new OpNode("expert" + j, "expert" + j, "moe-expert", "block0", 0, 0, 4_000_000, 250, 0, free, Map.of()));
            tensors.add(new TensorEdge("x" + j, "in", "expert" + j, 1000));
            tensors.add(new TensorEdge("w" + j, "router", "expert" + j, 10));
            tensors.add(new TensorEdge("y" + j, "expert" + j, "combine", 1000));
        }
        ops.add(new OpNode("combine", "combine", "moe-combine", "block0", 0, 0, 0, 250, 0, free, Map.of()));
        return ComputationGraph.of("moe", 1, ops, tensors);
    }

    private PlacementPlan plan(int expertParallel) {
        return new PlacementPlan("moe", "", "test", "", Precision.FP32, OptimizerKind.SGD, 4, 4, 1, Schedule.ONE_F_ONE_B, 1,
                List.of(new Stage(0, DEVICES, g.topologicalOrder().stream().map(OpNode::id).toList(), false)),
                PlanOptions.NONE.withExpertParallel(expertParallel));
    }

    @Test
    void eachDeviceHoldsItsShareOfTheExperts() {
        MemoryBreakdown all = MemoryModel.perDevice(g, c, plan(1)).get("n0g0");
        MemoryBreakdown split = MemoryModel.perDevice(g, c, plan(2)).get("n0g0");
        assertThat(all.parameters()).isEqualTo(4 * 4_000_000);
        assertThat(split).extracting(MemoryBreakdown::parameters, MemoryBreakdown::gradients, MemoryBreakdown::optimizer)
                .containsExactly(2 * 4_000_000L, 2 * 4_000_000L, 0L);
    }

    @Test
    void dispatchAndCombineAreAllToAllsOverTheGroupAndExpertGradientsReduceOverTheirHolders() {
        List<Instruction> replica2 = Lowering.lower(g, c, plan(2)).programs().get(2).instructions();
        // 4 experts x (1000 in, 1000 out) bytes x 1 sample, two all-to-alls (dispatch, combine) each way
        assertThat(replica2).extracting(Instruction::name).containsExactly("F s0 mb0", "a2a F s0 mb0", "B s0 mb0",
                "a2a B s0 mb0", "free s0 mb0", "allreduce experts s0", "optimizer s0");
        assertThat(replica2.get(1)).isEqualTo(new ExpertAllToAll(0, 0, Direction.FORWARD, List.of("n0g2", "n0g3"), 8000, 2));
        assertThat(replica2.get(5)).isEqualTo(new ExpertAllReduce(0, List.of("n0g0", "n0g2"), 2 * 4_000_000L, false));
        // each all-to-all pass moves (e-1)/e x 8000 bytes; the expert all-reduce 2 (n-1)/n x 8e6 on a ring of 2
        double step = Simulator.simulate(g, c, plan(2), SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel()))
                .stepSeconds();
        assertThat(step).isCloseTo(2 * 8000 / 2.0 / C + 8e6 / C, offset(1e-12));
        // without expert parallelism: one data-parallel all-reduce of all 4e6 gradients over 4 replicas
        double plain = Simulator.simulate(g, c, plan(1), SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel()))
                .stepSeconds();
        assertThat(plain).isCloseTo(2 * 3 / 4.0 * 16e6 / C, offset(1e-12));
    }

    @Test
    void planFilesCarryTheDegreeOnlyWhenAboveOne() {
        String text = PlanJson.write(PlanFile.of(plan(2)));
        assertThat(text).contains("\"expertParallel\" : 2,\n");
        assertThat(PlanJson.read(text, "x").plan()).isEqualTo(plan(2));
        assertThat(PlanJson.write(PlanFile.of(plan(1)))).doesNotContain("expertParallel");
    }

    @Test
    void theDegreeMustDivideEveryStagesReplicas() {
        assertThatThrownBy(() -> plan(3)).isInstanceOf(PlanException.class)
                .hasMessage("stage 0 has 4 data-parallel replicas, not a multiple of expertParallel 3");
        assertThatThrownBy(() -> PlanOptions.NONE.withZeroStage(1).withExpertParallel(2)).isInstanceOf(PlanException.class)
                .hasMessage("expertParallel 2 with zeroStage 1 is not modelled: use one of them");
    }
}
