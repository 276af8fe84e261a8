package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/** The warm-up rule on hand-made step times: two windows of five, 5% tolerance, at most 100 steps. */
class WarmUpTest {
    @Test
    void needsTwoWindows() {
        assertThat(WarmUp.done(times(1, 1, 1, 1, 1, 1, 1, 1, 1))).isFalse();
        assertThat(WarmUp.done(times(1, 1, 1, 1, 1, 1, 1, 1, 1, 1))).isTrue();
    }

    @Test
    void goesOnWhileTheLastWindowIsMoreThanFivePercentFaster() {
        // medians 1.00 then 0.94: 6% faster
        assertThat(WarmUp.done(times(1, 1, 1, 1, 1, 0.94, 0.94, 0.94, 0.94, 0.94))).isFalse();
        // medians 1.00 then 0.96: 4% faster
        assertThat(WarmUp.done(times(1, 1, 1, 1, 1, 0.96, 0.96, 0.96, 0.96, 0.96))).isTrue();
        // a slower last window is steady too (the machine got busier, the JIT is not what moves it)
        assertThat(WarmUp.done(times(1, 1, 1, 1, 1, 1.3, 1.3, 1.3, 1.3, 1.3))).isTrue();
    }

    @Test
    void comparesMediansSoOneOutlierDoesNotDecide() {
        // the last window's median is 0.99 (one 0.1 outlier), the one before's 1.0
        assertThat(WarmUp.done(times(5, 1, 1, 1, 1, 0.99, 0.99, 0.1, 0.99, 0.99))).isTrue();
        // only the last two windows count: an early slow step does not
        assertThat(WarmUp.done(times(9, 9, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))).isTrue();
    }

    @Test
    void stopsAtTheBoundOnStepsThatKeepGettingFaster() {
        List<Double> falling = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            falling.add(Math.pow(0.98, i));
        }
        assertThat(WarmUp.done(falling)).isFalse();
        falling.add(Math.pow(0.98, 99));
        assertThat(WarmUp.done(falling)).isTrue();
    }

    private static List<Double> times(double... seconds) {
        return DoubleStream.of(seconds).boxed().toList();
    }
}
