package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.transport.CollectiveSamples;

/** Background cores of a run's steps, and the host capacity they leave to the workers, by hand. */
class BackgroundCpuTest {
    @Test
    void medianOfEachStepsBackgroundOverItsWallTime() {
        BackgroundCpu b = new BackgroundCpu();
        assertThat(b.cores()).isZero();
        b.add(step(0.040, 0.012)); // 0.3 cores
        b.add(step(0.050, 0.050)); // 1.0: a collection's pause
        b.add(step(0.020, 0.004)); // 0.2
        b.add(step(0, 0.001)); // no wall time: left out
        assertThat(b.cores()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void capacityIsScaledByTheCoresTheBackgroundLeaves() {
        // 2 cores, 0.4 of them busy beside the workers: 80% of the capacity measured with compute threads alone
        assertThat(BackgroundCpu.capacity(1.9, 0.4, 2)).isCloseTo(1.52, within(1e-12));
        // at most all cores but one are taken: 3.5 background cores on 8 count as 3.5, on 4 as 3 (a quarter left)
        assertThat(BackgroundCpu.capacity(7.2, 3.5, 8)).isCloseTo(7.2 * 4.5 / 8, within(1e-12));
        assertThat(BackgroundCpu.capacity(6.0, 3.5, 4)).isCloseTo(1.5, within(1e-12));
        assertThat(BackgroundCpu.capacity(1.9, 0, 2)).isEqualTo(1.9);
        // never below one worker's worth
        assertThat(BackgroundCpu.capacity(1.2, 0.9, 2)).isEqualTo(1.0);
        assertThatThrownBy(() -> BackgroundCpu.capacity(1.9, -0.1, 2)).hasMessageContaining("-0.1 background cores");
    }

    private static StepResult step(double seconds, double background) {
        return new StepResult(0, 1.0, seconds, CollectiveSamples.NONE, background);
    }
}
