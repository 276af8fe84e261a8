package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * A step's time less the window of its instructions (over every device), the steady steps' median, never below 0;
 * a resumed run's steps are matched by their numbers.
 */
class StepOverheadTest {
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);
    private static final Compute B = new Compute(0, 0, Direction.BACKWARD, false);

    @Test
    void theSteadyStepsMedianOfWhatTheyTookBeyondTheirInstructions() {
        // steps 5..8 of a resumed run: the steady ones are 7 and 8, windows 1.0 s (two devices) and 0.5 s
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a", "b"), List.of(
                new Span("a", 5, 0, F, 0, 1), new Span("a", 6, 0, F, 2, 3),
                new Span("a", 7, 0, F, 4, 4.6), new Span("b", 7, 0, B, 4.2, 5.0),
                new Span("a", 8, 0, F, 6, 6.5)), List.of(), List.of());
        TrainResult r = new TrainResult(5, List.of(1.0, 1.0, 1.0, 1.0), List.of(9.0, 9.0, 1.2, 0.6), Map.of(), measured, Map.of(), List.of());
        // overheads 0.2 and 0.1: their median
        assertThat(StepOverhead.seconds(r)).isCloseTo(0.15, offset(1e-12));
        TrainResult faster = new TrainResult(5, List.of(1.0, 1.0, 1.0, 1.0), List.of(9.0, 9.0, 0.9, 0.4), Map.of(), measured, Map.of(), List.of());
        assertThat(StepOverhead.seconds(faster)).isZero();
    }
}
