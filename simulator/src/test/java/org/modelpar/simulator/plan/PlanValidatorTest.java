package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;

class PlanValidatorTest {
    private final ComputationGraph g = Fixtures.chain(3, 1, 1, 10, 40, 5);
    private final ClusterSpec c = Fixtures.freeCluster(4);

    private PlacementPlan plan(List<Stage> stages) {
        return new PlacementPlan("chain", "", "test", "", Precision.FP32, OptimizerKind.SGD, 4, 2, 2, Schedule.GPIPE, 1, stages);
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
        assertThat(layout.stage(0).tensorParallelAllReduces()).containsExactly(10L, 10L);
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
