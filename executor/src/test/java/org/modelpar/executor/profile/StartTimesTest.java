package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/** When each worker began its steps after the step's first one, while a core was free: the steady steps' median, by hand. */
class StartTimesTest {
    private static final Compute F = new Compute(0, 0, Direction.FORWARD, false);
    private static final Recv R = new Recv(1, 0, 0, Payload.ACTIVATION, "a", 0, 0, 1);

    @Test
    void eachDevicesMedianOffsetFromTheStepsFirstStart() {
        // step 0 is before fromStep; in steps 1-3 b's first span (a receive: its wait counts) begins 0.2, 0.4 and 0.1 s
        // after a's; in step 4 b begins first and a 0.3 s after it
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("a", "b"), List.of(
                new Span("a", 0, 0, F, 0, 1), new Span("b", 0, 0, R, 5, 6),
                new Span("a", 1, 0, F, 10, 11), new Span("b", 1, 0, R, 10.2, 11), new Span("b", 1, 0, F, 11, 12),
                new Span("a", 2, 0, F, 20, 21), new Span("b", 2, 0, R, 20.4, 21),
                new Span("a", 3, 0, F, 30, 31), new Span("b", 3, 0, R, 30.1, 31),
                new Span("a", 4, 0, F, 40.3, 41), new Span("b", 4, 0, R, 40, 41)), List.of(), List.of());
        StartTimes times = StartTimes.of(measured, 1, 2);
        Map<String, Double> starts = times.medians();
        assertThat(starts).containsOnlyKeys("a", "b");
        // a: 0, 0, 0, 0.3 -> 0; b: 0.2, 0.4, 0.1, 0 -> 0.15
        assertThat(starts.get("a")).isZero();
        assertThat(starts.get("b")).isCloseTo(0.15, offset(1e-9));
        assertThat(StartTimes.of(measured, 5, 2).medians()).isEmpty();
        assertThat(StartTimes.of(measured, 5, 2).ofStep(3)).isEmpty();
        // the steps themselves, by the simulated step's seed modulo their number: step 4 is the fourth
        assertThat(times.ofStep(3).get("a")).isCloseTo(0.3, offset(1e-9));
        assertThat(times.ofStep(3).get("b")).isZero();
        assertThat(times.ofStep(4).get("b")).as("step 1 again").isCloseTo(0.2, offset(1e-9));
        // from step 4 alone: b began first
        Map<String, Double> last = StartTimes.of(measured, 4, 2).medians();
        assertThat(last.get("a")).isCloseTo(0.3, offset(1e-9));
        assertThat(last.get("b")).isZero();
        // on one core, b waited while a computed: the host's sharing, which the simulation charges, not a late start
        assertThat(StartTimes.of(measured, 1, 1).medians().get("b")).isZero();
    }

    @Test
    void onlyTheTimeWithACoreFreeCounts() {
        // c begins at 3; a computes over [0, 2], b over [1, 2.5]: on one core only [2.5, 3] had a core free, on two
        // [0, 1] too
        List<Span> step = List.of(new Span("a", 0, 0, F, 0, 2), new Span("b", 0, 0, F, 1, 2.5), new Span("c", 0, 0, F, 3, 4));
        assertThat(StartTimes.unsaturatedSeconds(step, "c", 0, 3, 1)).isCloseTo(0.5, offset(1e-12));
        assertThat(StartTimes.unsaturatedSeconds(step, "c", 0, 3, 2)).isCloseTo(2.0, offset(1e-12));
        // a receive is not computing
        assertThat(StartTimes.unsaturatedSeconds(List.of(new Span("a", 0, 0, R, 0, 3)), "c", 0, 3, 1)).isCloseTo(3.0, offset(1e-12));
    }
}
