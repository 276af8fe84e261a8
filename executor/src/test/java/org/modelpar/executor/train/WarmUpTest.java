package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/**
 * The warm-up rule on hand-made steps: two windows of at least five steps and one second each, 5% tolerance, the JIT
 * compiling for at most 10% of the last window, at most 20,000 steps or 60 s.
 */
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
    void goesOnWhileTheJitCompilesForMoreThanATenthOfTheLastWindow() {
        List<WarmUp.Step> steps = new ArrayList<>(times(1, 1, 1, 1, 1, 1, 1, 1, 1));
        // the last window: 5 s of wall, 0.51 s compiling
        steps.add(new WarmUp.Step(1, 0.51));
        assertThat(WarmUp.done(steps)).isFalse();
        steps.set(9, new WarmUp.Step(1, 0.5));
        assertThat(WarmUp.done(steps)).isTrue();
        // compilation before the last window does not count
        steps.set(4, new WarmUp.Step(1, 3));
        assertThat(WarmUp.done(steps)).isTrue();
    }

    @Test
    void aWindowOfShortStepsLastsASecond() {
        // 4 ms steps: ten steady ones are two windows of five, but only 40 ms of wall time, too short to tell
        List<WarmUp.Step> steps = new ArrayList<>(DoubleStream.generate(() -> 0.004).limit(10)
                .mapToObj(s -> new WarmUp.Step(s, 0)).toList());
        assertThat(WarmUp.done(steps)).isFalse();
        // 250 steps make a window of 1 s, 500 two
        while (steps.size() < 499) {
            steps.add(new WarmUp.Step(0.004, 0));
        }
        assertThat(WarmUp.done(steps)).isFalse();
        steps.add(new WarmUp.Step(0.004, 0));
        assertThat(WarmUp.done(steps)).isTrue();
        // one 50 ms compilation in the last 250 steps is 5% of their second: quiet; three (15%) are not, even
        // when none finished in the last five steps
        steps.set(300, new WarmUp.Step(0.004, 0.05));
        assertThat(WarmUp.done(steps)).isTrue();
        steps.set(350, new WarmUp.Step(0.004, 0.05));
        steps.set(400, new WarmUp.Step(0.004, 0.05));
        assertThat(WarmUp.done(steps)).isFalse();
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
        List<WarmUp.Step> falling = new ArrayList<>();
        for (int i = 0; i < WarmUp.MOST_STEPS - 1; i++) {
            falling.add(new WarmUp.Step(0.1 * Math.pow(0.98, i), 0));
        }
        assertThat(WarmUp.done(falling)).isFalse();
        falling.add(new WarmUp.Step(0.1 * Math.pow(0.98, WarmUp.MOST_STEPS - 1), 0));
        assertThat(WarmUp.done(falling)).isTrue();
    }

    @Test
    void stopsAtTheBoundOnWallTimeWhileTheJitKeepsCompiling() {
        List<WarmUp.Step> compiling = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            compiling.add(new WarmUp.Step(5, 5));
        }
        assertThat(WarmUp.done(compiling)).isFalse();
        compiling.add(new WarmUp.Step(5, 5));
        assertThat(WarmUp.done(compiling)).isTrue();
    }

    @Test
    void ranksCombineAsTheSlowestStepAndTheLongestCompilation() {
        WarmUp.Step a = WarmUp.Step.decode(new WarmUp.Step(0.03, 0.001).encode());
        assertThat(a).isEqualTo(new WarmUp.Step(0.03, 0.001));
        assertThat(a.max(new WarmUp.Step(0.02, 0.004))).isEqualTo(new WarmUp.Step(0.03, 0.004));
        assertThatThrownBy(() -> new WarmUp.Step(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<WarmUp.Step> times(double... seconds) {
        return DoubleStream.of(seconds).mapToObj(s -> new WarmUp.Step(s, 0)).toList();
    }
}
