package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * A receive that began before its send ended waited: from the send's start to the receive's end, less what the
 * simulation prices the transfer at; per device the median over the steps asked for of each step's mean, and the
 * calibrated model wakes each device that long.
 */
class WakeTimesTest {
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);

    private static Send send(int mb) {
        return new Send(0, 1, mb, Payload.ACTIVATION, "b", 4, mb, 1);
    }

    private static Recv recv(int mb) {
        return new Recv(1, 0, mb, Payload.ACTIVATION, "a", 4, mb, 1);
    }

    /** Step s of device a sends mb0 and mb1 at s + 1 and s + 2; b waits for mb0 and finds mb1 there. */
    private static List<Span> step(int s, double wait0) {
        return List.of(new Span("a", s, 0, F, s, s + 1), new Span("a", s, 1, send(0), s + 1, s + 1.01),
                new Span("a", s, 2, send(1), s + 2, s + 2.01),
                new Span("b", s, 0, recv(0), s + 0.5, s + 1 + wait0),
                new Span("b", s, 1, F, s + 1 + wait0, s + 2.5),
                // began after mb1's send ended: the message was there, nothing waited
                new Span("b", s, 2, recv(1), s + 2.5, s + 2.501));
    }

    @Test
    void theMedianStepsMeanWaitBeyondThePricedTransferOfReceivesThatWaited() {
        List<Span> spans = new ArrayList<>();
        spans.addAll(step(0, 0.9)); // before the steps asked for
        spans.addAll(step(10, 0.02));
        spans.addAll(step(20, 0.04));
        spans.addAll(step(30, 0.5)); // a paused step: the median leaves it out
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a", "b"), spans, List.of(), List.of());
        Map<String, Double> wake = WakeTimes.medianStepSecondsByDevice(measured, 10, r -> 0.005);
        assertThat(wake).containsOnlyKeys("b");
        assertThat(wake.get("b")).isCloseTo(0.04 - 0.005, offset(1e-12));
        assertThat(WakeTimes.medianStepSecondsByDevice(measured, 10, r -> 1.0).get("b")).as("at least 0").isZero();
        CalibratedCostModel model = new CalibratedCostModel(Map.of(), 1, 1, Set.of(), List.of()).withWakeSeconds(wake);
        assertThat(model.wakeSeconds(null, "b", "a", 4)).isCloseTo(0.035, offset(1e-12));
        assertThat(model.wakeSeconds(null, "a", "b", 4)).as("a device that never waited").isZero();
    }
}
