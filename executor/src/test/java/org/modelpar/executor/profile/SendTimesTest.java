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
 * Each worker's sends of the measured steps asked for, averaged: their spans only (not the computes'), and the
 * calibrated model holds each device's sends that long.
 */
class SendTimesTest {
    private static final Send SEND = new Send(0, 1, 0, Payload.ACTIVATION, "b", 4, 0, 1);
    private static final Send BACK = new Send(1, 0, 0, Payload.GRADIENT, "a", 4, 0, 1);
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);

    @Test
    void theMeanOfEachWorkersSendsFromTheGivenStepOn() {
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a", "b"), List.of(
                new Span("a", 0, 0, F, 0, 1), new Span("a", 0, 1, SEND, 1, 1.5),
                new Span("a", 1, 0, F, 2, 3), new Span("a", 1, 1, SEND, 3, 3.001),
                new Span("b", 1, 0, BACK, 3, 3.01),
                new Span("a", 2, 0, F, 4, 5), new Span("a", 2, 1, SEND, 5, 5.003)), List.of(), List.of());
        Map<String, Double> held = SendTimes.meanSecondsByDevice(measured, 1);
        assertThat(held).containsOnlyKeys("a", "b");
        assertThat(held.get("a")).isCloseTo(0.002, offset(1e-12));
        assertThat(held.get("b")).isCloseTo(0.01, offset(1e-12));
        assertThat(SendTimes.meanSecondsByDevice(measured, 3)).isEmpty();
        CalibratedCostModel model = new CalibratedCostModel(Map.of(), 1, 1, Set.of(), List.of()).withSenderSeconds(held);
        assertThat(model.senderSeconds(null, "a", "b", 4)).isCloseTo(0.002, offset(1e-12));
        assertThat(model.senderSeconds(null, "b", "a", 4)).isCloseTo(0.01, offset(1e-12));
        assertThat(model.senderSeconds(null, "c", "a", 4)).as("a device that sent nothing").isZero();
        assertThat(new CalibratedCostModel(Map.of(), 1, 1, Set.of(), List.of()).senderSeconds(null, "a", "b", 4)).isZero();
    }
}
