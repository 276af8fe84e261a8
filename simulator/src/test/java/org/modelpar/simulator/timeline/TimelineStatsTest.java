package org.modelpar.simulator.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;

/**
 * A hand-drawn two-device step of 10 s (times in seconds):
 * <pre>
 * a  compute  F[0,2]                     B[6,8] free@8       opt[9,10]
 *    comm          send[2,5] recv[5,6]            allreduce[8,9]
 * b  compute                 F[5,7] B[7,9]          opt[9.5,10]
 *    comm          recv[2,5]      send[8.5,9.5]
 *                      send[4,5.5]
 * </pre>
 */
class TimelineStatsTest {
    static Timeline twoDevices() {
        List<Span> spans = List.of(
                new Span("a", 0, 0, new Compute(0, 0, Direction.FORWARD, false), 0, 2),
                new Span("a", 0, 1, new Send(0, 1, 0, Payload.ACTIVATION, "b", 64, 0, 1), 2, 5),
                new Span("a", 0, 2, new Recv(0, 1, 0, Payload.GRADIENT, "b", 64, 0, 1), 5, 6),
                new Span("a", 0, 3, new Compute(0, 0, Direction.BACKWARD, false), 6, 8),
                new Span("a", 0, 4, new Free(0, 0), 8, 8),
                new Span("a", 0, 5, new AllReduce(0, List.of("a"), 128), 8, 9),
                new Span("a", 0, 6, new OptimizerStep(0), 9, 10),
                new Span("b", 0, 0, new Recv(1, 0, 0, Payload.ACTIVATION, "a", 64, 0, 1), 2, 5),
                new Span("b", 0, 1, new Send(1, 2, 0, Payload.ACTIVATION, "c", 64, 0, 1), 4, 5.5),
                new Span("b", 0, 2, new Compute(1, 0, Direction.FORWARD, false), 5, 7),
                new Span("b", 0, 3, new Compute(1, 0, Direction.BACKWARD, false), 7, 9),
                new Span("b", 0, 4, new Send(1, 0, 0, Payload.GRADIENT, "a", 64, 0, 1), 8.5, 9.5),
                new Span("b", 0, 5, new OptimizerStep(1), 9.5, 10));
        return new Timeline(Timeline.Source.SIMULATED, List.of("a", "b"), spans, List.of(), List.of(0, 1, 2, 3, 4, 5, 6));
    }

    @Test
    void busyIsTheComputeStreamAndExposedIsCommunicationComputeDoesNotHide() {
        TimelineStats s = TimelineStats.of(twoDevices());
        assertThat(s.stepSeconds()).isEqualTo(10.0);
        TimelineStats.DeviceTimes a = s.device("a").orElseThrow();
        assertThat(a.busySeconds()).isEqualTo(5.0); // 2 + 2 + 0 + 1
        assertThat(a.exposedCommunicationSeconds()).isEqualTo(5.0); // [2,6] and [8,9], no compute under them
        assertThat(a.bubbleFraction()).isZero();
        TimelineStats.DeviceTimes b = s.device("b").orElseThrow();
        assertThat(b.busySeconds()).isEqualTo(4.5); // 2 + 2 + 0.5
        // communication [2,5.5] and [8.5,9.5] (4.5 s), of which compute hides [5,5.5] and [8.5,9]
        assertThat(b.exposedCommunicationSeconds()).isEqualTo(3.5);
        assertThat(b.bubbleFraction()).isCloseTo(0.2, within(1e-12)); // idle [0,2] with nothing in flight
        assertThat(b.bubbleSeconds()).isCloseTo(2.0, within(1e-12));
    }

    @Test
    void criticalPathIsTheTimelinesChainAsSpans() {
        Timeline t = twoDevices();
        assertThat(TimelineStats.of(t).criticalPath()).containsExactlyElementsOf(t.spansOf("a"));
    }

    @Test
    void anEmptyTimelineHasNoTime() {
        TimelineStats s = TimelineStats.of(new Timeline(Timeline.Source.MEASURED, List.of("a"), List.of(), List.of(), List.of()));
        assertThat(s.stepSeconds()).isZero();
        assertThat(s.device("a").orElseThrow().bubbleFraction()).isEqualTo(1.0);
        assertThat(s.device("z")).isEmpty();
    }

    @Test
    void oneStepOfAMeasuredRunKeepsItsSpansAndTheMemoryBeforeIt() {
        Compute f = new Compute(0, 0, Direction.FORWARD, false);
        Timeline run = Timeline.builder(Timeline.Source.MEASURED, List.of("a"))
                .add(new Span("a", 1, 0, f, 20, 30)).add(new Span("a", 0, 0, f, 0, 10))
                .add(new MemorySample("a", 5, 100)).add(new MemorySample("a", 15, 300))
                .add(new MemorySample("a", 25, 200)).add(new MemorySample("a", 35, 50)).build();
        assertThat(run.spans()).extracting(Span::step).containsExactly(0, 1);
        Timeline last = run.lastStep();
        assertThat(last.spans()).containsExactly(new Span("a", 1, 0, f, 20, 30));
        assertThat(last.memory()).containsExactly(new MemorySample("a", 20, 300), new MemorySample("a", 25, 200));
        assertThat(TimelineStats.of(last).stepSeconds()).isEqualTo(10.0);
    }
}
