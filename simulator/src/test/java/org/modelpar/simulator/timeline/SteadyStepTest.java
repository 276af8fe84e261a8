package org.modelpar.simulator.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;

/** The steady steps are the second half of a run of at least four, all but the first of three, else all. */
class SteadyStepTest {
    @Test
    void medianOfOddEvenAndNoValuesLeavingTheInputAsItWas() {
        double[] odd = {5, 1, 3};
        assertThat(SteadyStep.typical(odd)).isEqualTo(3);
        assertThat(odd).containsExactly(5, 1, 3);
        assertThat(SteadyStep.typical(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(SteadyStep.typical(new double[0])).isZero();
    }

    /** The interquartile mean: floor(n / 4) values set aside at each end; below four values, the median. */
    @Test
    void typicalIsTheInterquartileMeanOrBelowFourValuesTheMedian() {
        assertThat(SteadyStep.typical(new double[] {100, 1, 2, 3, 4, 5, 6, -50})).isEqualTo(3.5); // mean of 2, 3, 4, 5
        assertThat(SteadyStep.typical(new double[] {9, 1, 3, 2, 4})).isEqualTo(3); // mean of 2, 3, 4
        assertThat(SteadyStep.typical(new double[] {1, 2, 3, 40, 50, 60, 70})).isEqualTo(31); // mean of 2, 3, 40, 50, 60
        assertThat(SteadyStep.typical(new double[] {5, 1, 300})).isEqualTo(5);
        assertThat(SteadyStep.typical(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(SteadyStep.typical(new double[0])).isZero();
    }

    @Test
    void unpausedStepsOrAllWhenEveryOneWasPaused() {
        assertThat(SteadyStep.unpausedOrAll(List.of(1, 2, 3, 4), i -> i % 2 == 0)).containsExactly(1, 3);
        assertThat(SteadyStep.unpausedOrAll(List.of(2, 4), i -> i % 2 == 0)).containsExactly(2, 4);
        assertThat(SteadyStep.unpausedOrAll(List.<Integer>of(), i -> true)).isEmpty();
    }

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

    @Test
    void theMedianStepIsTheSteadyStepAtTheMedianNotTheLast() {
        // steady steps 4..7 (times 1, 3, 2, 50): the shorter middle one, 2 s, is step 6
        assertThat(SteadyStep.medianStep(List.of(9.0, 9.0, 9.0, 9.0, 1.0, 3.0, 2.0, 50.0))).isEqualTo(6);
        // steady steps 2..4 (times 1, 3, 2): 2 s at step 4
        assertThat(SteadyStep.medianStep(List.of(9.0, 8.0, 1.0, 3.0, 2.0))).isEqualTo(4);
        // steady steps 3..5 of equal times: the middle one in run order
        assertThat(SteadyStep.medianStep(List.of(9.0, 9.0, 9.0, 5.0, 5.0, 5.0))).isEqualTo(4);
        assertThat(SteadyStep.medianStep(List.of(7.0))).isZero();
        assertThat(SteadyStep.medianStep(List.of())).isZero();
    }

    @Test
    void theStepsAGarbageCollectionPausedAreLeftOutUnlessEveryOneWas() {
        // a run resumed at step 10: steps 10..15, steady 13..15 (times 1, 60, 2); step 14 paused
        List<Double> times = List.of(9.0, 9.0, 9.0, 1.0, 60.0, 2.0);
        assertThat(SteadyStep.seconds(times, 10, List.of(14))).isEqualTo(1.5);
        assertThat(SteadyStep.medianStep(times, 10, List.of(14))).isEqualTo(3);
        assertThat(SteadyStep.seconds(times, 10, List.of())).isEqualTo(2.0);
        // a paused step before the steady ones changes nothing; every steady step paused: all of them count
        assertThat(SteadyStep.seconds(times, 10, List.of(11))).isEqualTo(2.0);
        assertThat(SteadyStep.seconds(times, 10, List.of(13, 14, 15))).isEqualTo(2.0);
        assertThat(SteadyStep.medianStep(times, 10, List.of(13, 14, 15))).isEqualTo(5);
    }

    @Test
    void aMeasuredTimelinesPausedStepsAreLeftOut() {
        Compute f = new Compute(0, 0, Direction.FORWARD, false);
        Timeline t = new Timeline(Timeline.Source.MEASURED, List.of("a"), List.of(new Span("a", 2, 0, f, 0, 1.0),
                new Span("a", 5, 0, f, 2, 2.5), new Span("a", 7, 0, f, 3, 3.1)), List.of(), List.of(), List.of(5));
        // steps 2, 5 and 7 (gaps in the numbering): steady are 5 and 7, and 5 was paused
        assertThat(SteadyStep.seconds(t)).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-12));
        assertThatThrownBy(() -> new Timeline(Timeline.Source.MEASURED, List.of("a"), List.of(), List.of(), List.of(),
                List.of(5, 5))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[5, 5]");
    }

    @Test
    void aStepsInstructionsLastFromTheFirstStartToTheLastEndOverEveryDevice() {
        Compute f = new Compute(0, 0, Direction.FORWARD, false);
        Timeline t = new Timeline(Timeline.Source.MEASURED, List.of("a", "b"), List.of(
                new Span("a", 3, 0, f, 4, 4.6), new Span("b", 3, 0, f, 4.2, 5.0), new Span("a", 1, 0, f, 0, 1.5)),
                List.of(), List.of());
        assertThat(SteadyStep.instructionSeconds(t)).containsExactly(entry(1, 1.5), entry(3, 1.0));
        // two steps: all are steady, the median of 1.5 and 1.0
        assertThat(SteadyStep.seconds(t)).isEqualTo(1.25);
    }
}
