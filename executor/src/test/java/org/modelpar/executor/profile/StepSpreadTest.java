package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Each compute span's duration over its instruction's median on its device, over its step's median ratio; other
 * instructions and the steps before those asked for count for nothing.
 */
class StepSpreadTest {
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);
    private static final Compute B = new Compute(0, 0, Direction.BACKWARD, false);

    /** Device a's forward and backward of step s, taking f and b seconds, then a free of 1 s. */
    private static List<Span> step(int s, double f, double b) {
        double t = 100 * s;
        return List.of(new Span("a", s, 0, F, t, t + f), new Span("a", s, 1, B, t + f, t + f + b),
                new Span("a", s, 2, new Free(0, 0), t + f + b, t + f + b + 1));
    }

    /**
     * Forwards of 1, 1 and 2 s (median 1) and backwards of 2, 4 and 4 s (median 4): ratios {1, 0.5}, {1, 1}, {2, 1},
     * over each step's median ratio 0.75, 1 and 1.5: {4/3, 2/3}, {1, 1}, {4/3, 2/3}.
     */
    @Test
    void eachComputeSpanOverItsInstructionsMedianAndItsStepsMedianRatio() {
        List<Span> spans = new ArrayList<>(step(0, 50, 50)); // before the steps asked for
        spans.addAll(step(1, 1, 2));
        spans.addAll(step(2, 1, 4));
        spans.addAll(step(3, 2, 4));
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a"), spans, List.of(), List.of());
        assertThat(StepSpread.factors(measured, 1)).containsExactly(new double[] {4 / 3.0, 2 / 3.0, 1, 1, 4 / 3.0, 2 / 3.0},
                offset(1e-12));
        assertThat(StepSpread.factors(measured, 3)).as("one step: nothing to compare").isEmpty();
    }

    /** A step a garbage collection paused counts for nothing: steps 1 and 2 above leave ratios {1, 1}, {1, 1}. */
    @Test
    void theStepsACollectionPausedAreLeftOut() {
        List<Span> spans = new ArrayList<>(step(1, 1, 4));
        spans.addAll(step(2, 1, 4));
        spans.addAll(step(3, 90, 4)); // paused in its forward
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a"), spans, List.of(), List.of(), List.of(3));
        assertThat(StepSpread.factors(measured, 1)).containsExactly(new double[] {1, 1, 1, 1}, offset(1e-12));
    }
}
