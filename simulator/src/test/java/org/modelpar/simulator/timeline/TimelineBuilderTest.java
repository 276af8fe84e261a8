package org.modelpar.simulator.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.OptimizerStep;

/**
 * {@link Timeline.Builder#step} against {@code build().step}: two devices appending three steps out of time order
 * (as two threads do), with memory samples at equal times on one device and across devices.
 */
class TimelineBuilderTest {
    private static Timeline.Builder threeSteps() {
        Timeline.Builder b = Timeline.builder(Timeline.Source.MEASURED, List.of("a", "b"));
        for (int step = 0; step < 3; step++) {
            double t = 10 * step;
            // device b appends its step before a does, and a's second span before its first
            b.add(new Span("b", step, 0, new Compute(1, 0, Direction.FORWARD, false), t + 2, t + 4));
            b.add(new MemorySample("b", t + 2, 300 + step));
            b.add(new MemorySample("b", t + 4, 200 + step));
            b.add(new Span("a", step, 1, new OptimizerStep(0), t + 3, t + 5));
            b.add(new Span("a", step, 0, new Compute(0, 0, Direction.FORWARD, false), t + 1, t + 3));
            b.add(new MemorySample("a", t + 1, 100 + step));
            b.add(new MemorySample("a", t + 3, 110 + step));
            // two samples of a at the same time: the later appended one is the last before the next step
            b.add(new MemorySample("a", t + 5, 120 + step));
            b.add(new MemorySample("a", t + 5, 130 + step));
        }
        return b;
    }

    @Test
    void aStepOfTheBuilderIsThatStepOfTheWholeTimeline() {
        Timeline.Builder b = threeSteps();
        for (int step : new int[] {0, 1, 2, 7}) {
            assertThat(b.step(step)).isEqualTo(b.build().step(step));
        }
    }

    @Test
    void theSecondStepStartsFromEachDevicesLastSampleBeforeIt() {
        Timeline one = threeSteps().step(1);
        assertThat(one.spans()).extracting(Span::device, Span::index, Span::startSeconds)
                .containsExactly(tuple("a", 0, 11.0), tuple("b", 0, 12.0),
                        tuple("a", 1, 13.0));
        assertThat(one.memory()).containsExactly(new MemorySample("a", 11, 130), new MemorySample("b", 11, 200),
                new MemorySample("a", 11, 101), new MemorySample("b", 12, 301), new MemorySample("a", 13, 111),
                new MemorySample("b", 14, 201), new MemorySample("a", 15, 121), new MemorySample("a", 15, 131));
    }

    @Test
    void aBuilderOfOneStepGivesItWhole() {
        Timeline.Builder b = Timeline.builder(Timeline.Source.MEASURED, List.of("a"));
        b.add(new MemorySample("a", 0, 5));
        b.add(new Span("a", 0, 0, new OptimizerStep(0), 1, 2));
        assertThat(b.step(0)).isEqualTo(b.build()).isEqualTo(b.build().step(0));
    }
}
