package org.modelpar.simulator.program;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

class LoweringTest {
    private static List<String> computeNames(DeviceProgram p) {
        return p.instructions().stream().filter(i -> i instanceof Compute).map(Instruction::name).toList();
    }

    @Test
    void oneFOneBOrderHasWarmupSteadyStateAndCooldown() {
        ComputationGraph g = Fixtures.chain(4, 1, 2, 0, 0, 8);
        ClusterSpec c = Fixtures.freeCluster(4);
        PlacementPlan plan = Fixtures.plan(g, c, Fixtures.oneDeviceEach(4), 1, 6, Schedule.ONE_F_ONE_B, 1, false,
                Precision.FP32, OptimizerKind.SGD);
        StepProgram program = Lowering.lower(g, c, plan);
        assertThat(computeNames(program.programs().get(0))).containsExactly("F s0 mb0", "F s0 mb1", "F s0 mb2",
                "F s0 mb3", "B s0 mb0", "F s0 mb4", "B s0 mb1", "F s0 mb5", "B s0 mb2", "B s0 mb3", "B s0 mb4", "B s0 mb5");
        assertThat(computeNames(program.programs().get(3))).startsWith("F s3 mb0", "B s3 mb0", "F s3 mb1");
        assertThat(program.programs().get(1).instructions().subList(0, 3)).extracting(Instruction::name)
                .containsExactly("recv act s0>s1 mb0", "F s1 mb0", "send act s1>s2 mb0");
        List<Instruction> last = program.programs().get(1).instructions();
        assertThat(last.get(last.size() - 1)).isEqualTo(new OptimizerStep(1));
        assertThat(last).contains(new Free(1, 5));
    }

    @Test
    void gpipeRunsAllForwardsThenAllBackwards() {
        ComputationGraph g = Fixtures.chain(2, 1, 2, 0, 0, 8);
        ClusterSpec c = Fixtures.freeCluster(2);
        PlacementPlan plan = Fixtures.plan(g, c, Fixtures.oneDeviceEach(2), 1, 3, Schedule.GPIPE, 1, true,
                Precision.FP32, OptimizerKind.SGD);
        assertThat(computeNames(Lowering.lower(g, c, plan).programs().get(0))).containsExactly(
                "F s0 mb0", "F s0 mb1", "F s0 mb2", "B s0 mb0 rc", "B s0 mb1 rc", "B s0 mb2 rc");
    }

    @Test
    void nonAdjacentStagesExchangeDirectly() {
        List<OpNode> ops = List.of(OpNode.of("a", "linear", "", 1, 2, 0, 4), OpNode.of("b", "linear", "", 1, 2, 0, 4),
                OpNode.of("c", "linear", "", 1, 2, 0, 4));
        List<TensorEdge> tensors = List.of(new TensorEdge("ab", "a", "b", 100), new TensorEdge("bc", "b", "c", 200),
                new TensorEdge("ac", "a", "c", 300));
        ComputationGraph g = ComputationGraph.of("skip", 1, ops, tensors);
        ClusterSpec c = Fixtures.freeCluster(3);
        PlacementPlan plan = new PlacementPlan("skip", "", "test", "", Precision.FP32, OptimizerKind.SGD, 1, 1, 1,
                Schedule.GPIPE, 1, List.of(new Stage(0, List.of("n0g0"), List.of("a"), false),
                new Stage(1, List.of("n0g1"), List.of("b"), false), new Stage(2, List.of("n0g2"), List.of("c"), false)));
        StepProgram program = Lowering.lower(g, c, plan);
        assertThat(program.programs().get(0).instructions()).contains(
                new Send(0, 1, 0, Payload.ACTIVATION, "n0g1", 100, 0, 1),
                new Send(0, 2, 0, Payload.ACTIVATION, "n0g2", 300, 0, 1),
                new Recv(0, 2, 0, Payload.GRADIENT, "n0g2", 300, 0, 1));
        assertThat(program.programs().get(2).instructions()).contains(
                new Recv(2, 0, 0, Payload.ACTIVATION, "n0g0", 300, 0, 1),
                new Recv(2, 1, 0, Payload.ACTIVATION, "n0g1", 200, 0, 1));
        assertThat(Simulator.simulate(g, c, plan).stepSeconds()).isPositive();
    }

    @Test
    void replicasExchangeOverlappingSampleSlicesAndAllReducePerTensorRank() {
        ComputationGraph g = Fixtures.chain(2, 1, 2, 0, 4000, 10);
        ClusterSpec c = Fixtures.freeCluster(10);
        // stage 0: 2 replicas x t=2 (n0g0..n0g3); stage 1: 3 replicas x t=2 (n0g4..n0g9); micro-batch of 6
        PlacementPlan plan = Fixtures.plan(g, c, List.of(List.of("n0g0", "n0g1", "n0g2", "n0g3"),
                List.of("n0g4", "n0g5", "n0g6", "n0g7", "n0g8", "n0g9")), 6, 1, Schedule.GPIPE, 2, false,
                Precision.BF16, OptimizerKind.ADAM);
        StepProgram program = Lowering.lower(g, c, plan);
        DeviceProgram r0rank1 = program.programs().get(1);
        assertThat(r0rank1.instructions().stream().filter(i -> i instanceof Send s && s.payload() == Payload.ACTIVATION))
                .containsExactly(new Send(0, 1, 0, Payload.ACTIVATION, "n0g5", 10, 0, 2),
                        new Send(0, 1, 0, Payload.ACTIVATION, "n0g7", 5, 2, 1));
        DeviceProgram r1rank0 = program.programs().get(2);
        assertThat(r1rank0.instructions().stream().filter(i -> i instanceof Send s && s.payload() == Payload.ACTIVATION))
                .containsExactly(new Send(0, 1, 0, Payload.ACTIVATION, "n0g6", 5, 3, 1),
                        new Send(0, 1, 0, Payload.ACTIVATION, "n0g8", 10, 4, 2));
        assertThat(r1rank0.instructions()).contains(new AllReduce(0, List.of("n0g0", "n0g2"), 1000));
        assertThat(program.programs().get(9).instructions()).contains(new AllReduce(1, List.of("n0g5", "n0g7", "n0g9"), 1000));
        assertThat(Simulator.simulate(g, c, plan).stepSeconds()).isPositive();
        assertThat(program.instructionCount()).isEqualTo(program.programs().stream().mapToInt(p -> p.instructions().size()).sum());
    }

    /**
     * The logits reuse the embedding's word table: with the embedding on stage 0 (2 replicas) and the
     * logits on stage 1 (1 replica), every copy's device sums the table's gradient after its stage's
     * data-parallel all-reduce: vocab 10 x hidden 4 = 40 parameters, 4 gradient bytes each in fp32.
     */
    @Test
    void aWeightTiedAcrossStagesIsAllReducedOverEveryCopy() {
        Map<String, String> tied = Map.of("tiedTo", "embed", "vocab", "10", "hidden", "4");
        List<OpNode> ops = List.of(new OpNode("embed", "embed", "embedding", "", 1, 2, 160, 4, 0, Map.of(), Map.of()),
                new OpNode("logits", "logits", "logits", "", 1, 2, 0, 4, 0, Map.of(), tied));
        ComputationGraph g = ComputationGraph.of("tied", 1, ops, List.of(new TensorEdge("x", "embed", "logits", 16)));
        ClusterSpec c = Fixtures.freeCluster(3);
        PlacementPlan plan = new PlacementPlan("tied", "", "test", "", Precision.FP32, OptimizerKind.SGD, 2, 2, 1,
                Schedule.GPIPE, 1, List.of(new Stage(0, List.of("n0g0", "n0g1"), List.of("embed"), false),
                new Stage(1, List.of("n0g2"), List.of("logits"), false)));
        StepProgram program = Lowering.lower(g, c, plan);
        AllReduce exchange = new AllReduce(0, List.of("n0g0", "n0g1", "n0g2"), 160, "embed");
        assertThat(exchange.name()).isEqualTo("allreduce tied embed");
        for (DeviceProgram p : program.programs()) {
            List<Instruction> list = p.instructions();
            assertThat(list.get(list.size() - 2)).as(p.device()).isEqualTo(exchange);
            assertThat(list.get(list.size() - 1)).isEqualTo(new OptimizerStep(p.stage()));
        }
        assertThat(program.programs().get(0).instructions()).contains(new AllReduce(0, List.of("n0g0", "n0g1"), 160));
        assertThat(Simulator.simulate(g, c, plan).stepSeconds()).isPositive();
    }
}
