package org.modelpar.simulator.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The steady steps are the second half of a run of at least four, all but the first of three, else all. */
class SteadyStepTest {
    @Test
    void theStepsBeforeTheSteadyOnes() {
        assertThat(List.of(0, 1, 2, 3, 4, 5, 40, 41).stream().map(SteadyStep::firstSteady))
                .containsExactly(0, 0, 0, 1, 2, 2, 20, 20);
    }

    @Test
    void theMedianOfTheSteadySteps() {
        assertThat(SteadyStep.seconds(List.of(9.0, 8.0, 1.0, 3.0, 2.0))).isEqualTo(2.0);
        assertThat(SteadyStep.seconds(List.of(9.0, 1.0, 3.0))).isEqualTo(2.0);
        assertThat(SteadyStep.seconds(List.of())).isZero();
    }
}
