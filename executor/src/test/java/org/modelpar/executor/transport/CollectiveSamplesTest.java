package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring steps of a run's median step, by hand. */
class CollectiveSamplesTest {
    @Test
    void medianStepsMeanRingStepOverAllTheSteps() {
        List<CollectiveSamples> steps = List.of(
                new CollectiveSamples(20, 0.004, 1000), // 0.2 ms a ring step
                new CollectiveSamples(20, 0.040, 1000), // 2 ms: a slowed step
                CollectiveSamples.NONE, // a step without collectives: no say
                new CollectiveSamples(10, 0.003, 500)); // 0.3 ms
        CollectiveSamples median = CollectiveSamples.ofMedianStep(steps);
        assertThat(median.steps()).isEqualTo(50);
        assertThat(median.bytes()).isEqualTo(2500);
        assertThat(median.seconds()).isCloseTo(50 * 0.0003, within(1e-15));
        // the mean would have priced a ring step at 0.94 ms
        assertThat(steps.stream().reduce(CollectiveSamples.NONE, CollectiveSamples::plus).seconds() / 50).isCloseTo(0.00094, within(1e-15));
        assertThat(CollectiveSamples.ofMedianStep(List.of(new CollectiveSamples(4, 0.004, 8), new CollectiveSamples(4, 0.012, 8))).seconds())
                .isCloseTo(8 * 0.002, within(1e-15));
        assertThat(CollectiveSamples.ofMedianStep(List.of())).isEqualTo(CollectiveSamples.NONE);
    }
}
