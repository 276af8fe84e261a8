package org.modelpar.simulator.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Send;

class ComparisonTest {
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);
    private static final Send SEND = new Send(0, 1, 0, Payload.ACTIVATION, "b", 64, 0, 1);
    private static final Compute B = new Compute(0, 0, Direction.BACKWARD, false);

    @Test
    void matchesSpansByDeviceAndPositionAndListsComputeGapsLargestFirst() {
        Timeline predicted = new Timeline(Timeline.Source.SIMULATED, List.of("a"), List.of(
                new Span("a", 0, 0, F, 0, 1), new Span("a", 0, 1, SEND, 1, 2), new Span("a", 0, 2, B, 2, 4)), List.of(), List.of());
        Timeline measured = Timeline.builder(Timeline.Source.MEASURED, List.of("a"))
                .add(new Span("a", 3, 0, F, 10, 11.5)).add(new Span("a", 3, 1, SEND, 11.5, 20))
                .add(new Span("a", 3, 2, B, 20, 21)).build();
        Comparison c = Comparison.of(new Comparison.Side(predicted, 4, Map.of("a", 1000L)),
                new Comparison.Side(measured, 11, Map.of("a", 1250L)), 5);
        assertThat(c.stepErrorPercent()).isEqualTo(175.0);
        assertThat(c.memory().get("a").errorPercent()).isEqualTo(25.0);
        assertThat(c.compute().get("a")).isEqualTo(new Comparison.Busy(3.0, 2.5));
        // the send's 8.5 s is communication and left out; B is 1 s short, F 0.5 s long
        assertThat(c.worstInstructions()).containsExactly(new Comparison.InstructionGap("a", 2, "B s0 mb0", 2, 1),
                new Comparison.InstructionGap("a", 0, "F s0 mb0", 1, 1.5));
    }
}
