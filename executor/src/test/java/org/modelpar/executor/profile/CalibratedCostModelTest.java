package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.plan.Precision;

/** Calibrated op times scale from the samples and tensor degree they were measured at, exactly at those. */
class CalibratedCostModelTest {
    private final OpNode op = new OpNode("op", "op", "linear", "", 0, 0, 0, 0, 0, Map.of(), Map.of());
    private final CalibratedCostModel model = new CalibratedCostModel(Map.of("op", new double[] {2e-3, 4e-3}), 8, 2, Map.of());

    private static OpWork work(double samples, int tensorParallel) {
        return new OpWork(samples, tensorParallel, Precision.FP32, 8, false);
    }

    @Test
    void theMeasuredSamplesAndTensorDegreeGiveTheMeasuredTime() {
        assertThat(model.forwardSeconds(op, null, work(8, 2))).isCloseTo(2e-3, offset(1e-15));
        assertThat(model.backwardSeconds(op, null, work(8, 2))).isCloseTo(4e-3, offset(1e-15));
    }

    @Test
    void otherSamplesAndDegreesScaleLinearly() {
        assertThat(model.forwardSeconds(op, null, work(4, 2))).isCloseTo(1e-3, offset(1e-15));
        assertThat(model.forwardSeconds(op, null, work(8, 4))).isCloseTo(1e-3, offset(1e-15));
        assertThat(model.backwardSeconds(op, null, work(8, 1))).isCloseTo(8e-3, offset(1e-15));
    }

    @Test
    void aTensorDegreeBelowOneIsRefused() {
        assertThatThrownBy(() -> new CalibratedCostModel(Map.of(), 8, 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor degree 0");
    }
}
