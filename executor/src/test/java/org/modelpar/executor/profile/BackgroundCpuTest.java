package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.TransportLoad;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/** Background cores of a run's steps, and the host capacity they leave to the workers, by hand. */
class BackgroundCpuTest {
    @Test
    void medianOfEachStepsBackgroundOverItsWallTime() {
        BackgroundCpu b = new BackgroundCpu();
        assertThat(b.cores()).isZero();
        b.add(step(0.040, 0.012)); // 0.3 cores
        b.add(step(0.050, 0.050)); // 1.0: a collection's pause
        b.add(step(0.020, 0.004)); // 0.2
        b.add(step(0, 0.001)); // no wall time: left out
        assertThat(b.cores()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void stepsAGarbageCollectionPausedAreLeftOutUnlessEveryOneWas() {
        BackgroundCpu b = new BackgroundCpu();
        b.add(paused(0.050, 0.040)); // 0.8 cores: the collector's threads
        b.add(paused(0.040, 0.030)); // 0.75
        assertThat(b.cores()).isCloseTo((0.8 + 0.75) / 2, within(1e-12));
        b.add(step(0.040, 0.004)); // 0.1
        b.add(step(0.050, 0.010)); // 0.2
        b.add(paused(0.060, 0.048)); // 0.8
        assertThat(b.cores()).isCloseTo(0.15, within(1e-12));
    }

    @Test
    void capacityIsScaledByTheCoresTheBackgroundLeaves() {
        // 2 cores, 0.4 of them busy beside the workers: 80% of the capacity measured with compute threads alone
        assertThat(BackgroundCpu.capacity(1.9, 0.4, 2)).isCloseTo(1.52, within(1e-12));
        // at most all cores but one are taken: 3.5 background cores on 8 count as 3.5, on 4 as 3 (a quarter left)
        assertThat(BackgroundCpu.capacity(7.2, 3.5, 8)).isCloseTo(7.2 * 4.5 / 8, within(1e-12));
        assertThat(BackgroundCpu.capacity(6.0, 3.5, 4)).isCloseTo(1.5, within(1e-12));
        assertThat(BackgroundCpu.capacity(1.9, 0, 2)).isEqualTo(1.9);
        // never below one worker's worth
        assertThat(BackgroundCpu.capacity(1.2, 0.9, 2)).isEqualTo(1.0);
        assertThatThrownBy(() -> BackgroundCpu.capacity(1.9, -0.1, 2)).hasMessageContaining("-0.1 background cores");
    }

    @Test
    void theCoresAreSaturatedWhileAsManyWorkersComputeAsTheHostHasCores() {
        Compute f = new Compute(0, 0, Direction.FORWARD, false);
        Compute b = new Compute(0, 0, Direction.BACKWARD, false);
        // a and b compute over [0, 2] and [1, 3]; c over [1, 2.5]; a waits in a receive over [2, 3]; d is on another host
        Timeline step = new Timeline(Timeline.Source.SIMULATED, List.of("a", "b", "c", "d"), List.of(
                new Span("a", 0, 0, f, 0, 2), new Span("a", 0, 1, new Recv(0, 1, 0, Payload.GRADIENT, "b", 64, 0, 1), 2, 3),
                new Span("b", 0, 0, f, 1, 3), new Span("c", 0, 0, b, 1, 2.5), new Span("d", 0, 0, f, 0, 4)),
                List.of(), List.of());
        // two cores: two or more busy over [1, 2.5]
        assertThat(BackgroundCpu.saturatedSeconds(step, Set.of("a", "b", "c"), 2)).isCloseTo(1.5, within(1e-12));
        // one core: busy over [0, 3]
        assertThat(BackgroundCpu.saturatedSeconds(step, Set.of("a", "b", "c"), 1)).isCloseTo(3, within(1e-12));
        // three cores: all three over [1, 2]; four never
        assertThat(BackgroundCpu.saturatedSeconds(step, Set.of("a", "b", "c"), 3)).isCloseTo(1, within(1e-12));
        assertThat(BackgroundCpu.saturatedSeconds(step, Set.of("a", "b", "c"), 4)).isZero();
    }

    @Test
    void onlyTheBackgroundArrivingWhileEveryCoreIsBusyCompetes() {
        // 0.4 cores beside a 10 ms step whose cores are all busy for 2.5 ms of it: a quarter competes
        assertThat(BackgroundCpu.competingCores(0.4, 0.0025, 0.010)).isCloseTo(0.1, within(1e-12));
        assertThat(BackgroundCpu.competingCores(0.4, 0, 0.010)).isZero();
        assertThat(BackgroundCpu.competingCores(0.4, 0.010, 0.010)).isCloseTo(0.4, within(1e-12));
        assertThatThrownBy(() -> BackgroundCpu.competingCores(0.4, 0, 0)).hasMessageContaining("step of 0.0 s");
    }

    private static StepResult step(double seconds, double background) {
        return new StepResult(0, 1.0, seconds, CallSamples.NONE, background, TransportLoad.NONE, 0);
    }

    private static StepResult paused(double seconds, double background) {
        return new StepResult(0, 1.0, seconds, CallSamples.NONE, background, TransportLoad.NONE, 1);
    }
}
