package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;

class PlanValidatorTest {
    private final ComputationGraph g = Fixtures.chain(3, 1, 1, 10, 40, 5);
    private final ClusterSpec c = Fixtures.freeCluster(4);

    private PlacementPlan plan(List<Stage> stages) {
        return new PlacementPlan("chain", "", "test", "", Precision.FP32, OptimizerKind.SGD, 4, 2, 2, Schedule.GPIPE, 1, stages);
    }

    private static OpNode op(String id, long outputBytes) {
        return new OpNode(id, id, "linear", id, 1, 2, 0, outputBytes, 0, Map.of(), Map.of());
    }

    private static Stage stage(int i, List<String> devices, String... ops) {
        return new Stage(i, devices, List.of(ops), false);
    }

    @Test
    void validPlanResolvesStageProfiles() {
        PlanLayout layout = PlanValidator.validate(plan(List.of(stage(0, List.of("n0g0"), "op0", "op1"),
                stage(1, List.of("n0g1", "n0g2"), "op2"))), g, c);
        assertThat(layout.stage(0).parameterBytes()).isEqualTo(80);
        assertThat(layout.stage(0).outputsTo()).containsEntry(1, 5L);
        assertThat(layout.stage(1).inputBytesPerSample()).isEqualTo(5);
        assertThat(layout.samplesPerReplica(1)).isEqualTo(1);
        assertThat(layout.stage(0).forwardCollectives()).containsExactly(10L, 10L);
        assertThat(layout.stage(0).backwardCollectives()).containsExactly(10L, 10L);
    }

    @Test
    void anOutputIsSentOncePerReceivingStage() {
        // op0 (output 6 B/sample) feeds op1 and op2, both on stage 1, and op3 on stage 2: sent once to each
        // stage. op1 (output 10 B) sends two slices, 3 + 4 B, to op3 (like an attention block's query-key and
        // value): they add up, staying below its whole output
        ComputationGraph fan = ComputationGraph.of("fan", 1, List.of(op("op0", 6), op("op1", 10), op("op2", 2), op("op3", 2)),
                List.of(new TensorEdge("a", "op0", "op1", 6), new TensorEdge("b", "op0", "op2", 6),
                        new TensorEdge("c", "op0", "op3", 6), new TensorEdge("d", "op1", "op3", 3),
                        new TensorEdge("e", "op1", "op3", 4), new TensorEdge("f", "op2", "op3", 2)));
        PlanLayout layout = PlanValidator.validate(new PlacementPlan("fan", "", "test", "", Precision.FP32, OptimizerKind.SGD,
                4, 2, 2, Schedule.GPIPE, 1, List.of(stage(0, List.of("n0g0"), "op0"),
                        stage(1, List.of("n0g1"), "op1", "op2"), stage(2, List.of("n0g2"), "op3"))), fan, c);
        assertThat(layout.stage(0).outputsTo()).containsEntry(1, 6L).containsEntry(2, 6L);
        assertThat(layout.stage(1).inputsFrom()).containsEntry(0, 6L);
        assertThat(layout.stage(2).inputsFrom()).containsEntry(0, 6L).containsEntry(1, 3L + 4 + 2);
    }

    @Test
    void opMissingFromEveryStage() {
        assertThatThrownBy(() -> PlanValidator.validate(plan(List.of(stage(0, List.of("n0g0"), "op0", "op1"))), g, c))
                .isInstanceOf(PlanException.class).hasMessage("op 'op2' of graph 'chain' is in no stage");
    }

    @Test
    void opInTwoStages() {
        assertThatThrownBy(() -> PlanValidator.validate(plan(List.of(stage(0, List.of("n0g0"), "op0", "op1"),
                stage(1, List.of("n0g1"), "op1", "op2"))), g, c))
                .hasMessage("op 'op1' is in stage 0 and in stage 1");
    }

    @Test
    void unknownOp() {
        assertThatThrownBy(() -> PlanValidator.validate(plan(List.of(stage(0, List.of("n0g0"), "op0", "op1", "op2", "opX"))), g, c))
                .hasMessage("stage 0 op 'opX' is not in graph 'chain'");
    }

    @Test
    void tensorBackwardsAcrossStages() {
        assertThatThrownBy(() -> PlanValidator.validate(plan(List.of(stage(0, List.of("n0g0"), "op0", "op2"),
                stage(1, List.of("n0g1"), "op1"))), g, c))
                .hasMessage("tensor 't2' runs from op 'op1' in stage 1 back to op 'op2' in stage 0");
    }

    @Test
    void sharedOrUnknownDevices() {
        assertThatThrownBy(() -> PlanValidator.validate(plan(List.of(stage(0, List.of("n0g0"), "op0"),
                stage(1, List.of("n0g0"), "op1", "op2"))), g, c))
                .hasMessage("device 'n0g0' is in stage 0 and in stage 1");
        assertThatThrownBy(() -> PlanValidator.validate(plan(List.of(stage(0, List.of("n9g9"), "op0", "op1", "op2"))), g, c))
                .hasMessage("stage 0 device 'n9g9' is not in cluster 'test'");
    }

    @Test
    void degreesMustDivide() {
        assertThatThrownBy(() -> new PlacementPlan("chain", "", "test", "", Precision.FP32, OptimizerKind.SGD, 4, 2, 2,
                Schedule.GPIPE, 2, List.of(stage(0, List.of("n0g0", "n0g1", "n0g2"), "op0", "op1", "op2"))))
                .hasMessageContaining("not a multiple of tensorParallel 2");
        assertThatThrownBy(() -> new PlacementPlan("chain", "", "test", "", Precision.FP32, OptimizerKind.SGD, 4, 2, 2,
                Schedule.GPIPE, 1, List.of(stage(0, List.of("n0g0", "n0g1", "n0g2"), "op0", "op1", "op2"))))
                .hasMessageContaining("do not divide microBatchSize 2");
    }
}
