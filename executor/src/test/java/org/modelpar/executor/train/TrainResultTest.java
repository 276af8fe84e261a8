package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.timeline.Timeline;

class TrainResultTest {
    private static double measured(Double... seconds) {
        return new TrainResult(0, List.of(), List.of(seconds), Map.of(), Timeline.builder(Timeline.Source.MEASURED, List.of()).build(), Map.of()).measuredStepSeconds();
    }

    @Test
    void measuredStepIsTheMedianOfTheSteadySecondHalf() {
        assertThat(measured(9.0, 8.0, 7.0, 2.0, 3.0, 4.0)).isEqualTo(3.0);
        assertThat(measured(9.0, 8.0, 1.0, 2.0)).isEqualTo(1.5);
        assertThat(measured(9.0, 1.0, 2.0)).isEqualTo(1.5);
        assertThat(measured(4.0, 2.0)).isEqualTo(3.0);
        assertThat(measured()).isZero();
    }
}
