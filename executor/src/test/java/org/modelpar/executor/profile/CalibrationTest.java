package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A calibration times the kernels in the plan's precision, as the executor runs them (ND4J's CPU kernels run 16-bit
 * types many times slower than fp32: the small gpt's bf16 tensor-parallel step took 1.1-1.2 s against 40 ms in fp32,
 * and a calibration in fp32 predicted it at 57 ms); its passes and mixed-precision optimizer steps run in that type.
 */
class CalibrationTest {
    @ParameterizedTest
    @CsvSource({"FP32, FLOAT", "BF16, BFLOAT16", "FP16, HALF"})
    void timesTheKernelsInThePlansPrecision(Precision precision, DataType kernels) {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan plan = new PlacementPlan(graph.name(), "", "local", "", precision, OptimizerKind.ADAM, 4, 4, 1,
                Schedule.GPIPE, 1, List.of(new Stage(0, List.of("cpu0"),
                        graph.topologicalOrder().stream().map(OpNode::id).toList(), false)));
        Calibration c = new Calibration(graph, plan, 1);
        c.sample();
        c.sample();
        assertThat(c.kernelType()).isEqualTo(kernels);
        Map<String, double[]> seconds = c.opSeconds();
        assertThat(seconds).hasSize(graph.ops().size());
        assertThat(seconds.values()).allSatisfy(s -> assertThat(s[0] + s[1]).isPositive());
    }

    /**
     * Under a schedule that splits the backward the calibration runs it split, as the executor does, and gives each op
     * its weight-gradient part third: positive for an op with parameters, 0 for one without, within its backward.
     */
    @Test
    void aSplitBackwardIsTimedInItsTwoParts() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=16");
        PlacementPlan plan = new PlacementPlan(graph.name(), "", "local", "", Precision.FP32, OptimizerKind.ADAM, 4, 4, 1,
                Schedule.ZB_H1, 1, List.of(new Stage(0, List.of("cpu0"),
                        graph.topologicalOrder().stream().map(OpNode::id).toList(), false)));
        Calibration c = new Calibration(graph, plan, 1);
        c.sample();
        Map<String, double[]> seconds = c.opSeconds();
        for (OpNode op : graph.ops()) {
            double[] s = seconds.get(op.id());
            assertThat(s).as(op.id()).hasSize(3);
            assertThat(s[2]).as(op.id()).isBetween(0.0, s[1]);
            if (op.parameterBytes() > 0) {
                assertThat(s[2]).as(op.id()).isPositive();
            } else if (!op.attributes().containsKey("tiedTo")) {
                assertThat(s[2]).as(op.id()).isZero();
            }
        }
    }
}
