package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * The sends of the measured steps asked for, averaged: their spans only (not the computes'), and the calibrated
 * model holds every send that long.
 */
class SendTimesTest {
    private static final Send SEND = new Send(0, 1, 0, Payload.ACTIVATION, "b", 4, 0, 1);
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);

    @Test
    void theMeanOfTheSendsFromTheGivenStepOn() {
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a"), List.of(
                new Span("a", 0, 0, F, 0, 1), new Span("a", 0, 1, SEND, 1, 1.5),
                new Span("a", 1, 0, F, 2, 3), new Span("a", 1, 1, SEND, 3, 3.001),
                new Span("a", 2, 0, F, 4, 5), new Span("a", 2, 1, SEND, 5, 5.003)), List.of(), List.of());
        assertThat(SendTimes.meanSeconds(measured, 1).orElseThrow()).isCloseTo(0.002, offset(1e-12));
        assertThat(SendTimes.meanSeconds(measured, 3)).isEmpty();
        CalibratedCostModel model = new CalibratedCostModel(Map.of(), 1, 1, Set.of(), Map.of()).withSenderSeconds(0.002);
        assertThat(model.senderSeconds(null, "a", "b", 4)).isEqualTo(0.002);
        assertThat(new CalibratedCostModel(Map.of(), 1, 1, Set.of(), Map.of()).senderSeconds(null, "a", "b", 4)).isZero();
    }
}
