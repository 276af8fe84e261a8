package org.modelpar.executor.transport;

import java.util.List;
import java.util.OptionalDouble;
import org.modelpar.simulator.timeline.SteadyStep;

/**
 * Ring steps of a run's collectives as they ran ({@link RingCollectives}): how many, their summed seconds and the
 * summed bytes of the chunks they received. A collective call's steps are timed from the later of the member's and its
 * predecessor's first sends to the first arrival, then each from its send to its arrival, so the member's own sum or
 * copy between them (the simulator prices that host work apart) and the members' difference in arrival at the
 * collective (the simulator's collective starts after its last member) are left out ({@link CallClock}).
 *
 * Every step that receives a chunk also counts for the wakes: a step whose member was already waiting when its
 * predecessor sent (the predecessor's send clock, carried by every message, at or after the step's start) with its time
 * from that send to the arrival, what the scheduler took to run the waiting member once the chunk was there besides the
 * chunk's transfer; a step whose chunk was there first with none.
 *
 * @param steps       how many ring steps
 * @param seconds     their time, summed
 * @param bytes       the chunks they received, summed
 * @param wakes       how many steps received a chunk
 * @param wakeSeconds from the predecessor's send to the arrival, summed over the steps whose member waited
 * @param wakeBytes   the chunks those received, summed
 */
public record CollectiveSamples(long steps, double seconds, double bytes, long wakes, double wakeSeconds, double wakeBytes) {
    public static final CollectiveSamples NONE = new CollectiveSamples(0, 0, 0);

    public CollectiveSamples {
        if (steps < 0 || !(seconds >= 0) || !(bytes >= 0) || wakes < 0 || !(wakeSeconds >= 0) || !(wakeBytes >= 0)) {
            throw new IllegalArgumentException("ring step samples need steps, seconds, bytes, wakes, wake seconds and bytes"
                    + " >= 0, got " + steps + ", " + seconds + ", " + bytes + ", " + wakes + ", " + wakeSeconds + " and "
                    + wakeBytes);
        }
    }

    /** Steps without wakes. */
    public CollectiveSamples(long steps, double seconds, double bytes) {
        this(steps, seconds, bytes, 0, 0, 0);
    }

    /** These and {@code other} together. */
    public CollectiveSamples plus(CollectiveSamples other) {
        return new CollectiveSamples(steps + other.steps, seconds + other.seconds, bytes + other.bytes, wakes + other.wakes,
                wakeSeconds + other.wakeSeconds, wakeBytes + other.wakeBytes);
    }

    /**
     * The ring steps of a run's steps ({@code perStep}, one entry per training step) as its median step ran them: every
     * step's ring steps and bytes, at the median over the steps with samples of each one's mean ring step (the measured
     * step is the median step: a step whose collectives a preemption or a collection slowed is left out of both). The
     * small gpt's tensor-parallel ring steps took 1.5-2 ms in one pass and 12-19 ms in another, and their mean priced
     * its steps 15-30% slower than the median step ran.
     */
    public static CollectiveSamples ofMedianStep(List<CollectiveSamples> perStep) {
        CollectiveSamples all = perStep.stream().reduce(NONE, CollectiveSamples::plus);
        double[] means = perStep.stream().filter(s -> s.steps > 0).mapToDouble(s -> s.seconds / s.steps).toArray();
        return means.length == 0 ? all : new CollectiveSamples(all.steps, SteadyStep.typical(means) * all.steps, all.bytes,
                all.wakes, all.wakeSeconds, all.wakeBytes);
    }

    /**
     * What a step waits besides its bytes at {@code bandwidthBytesPerSecond} (the simulator's per-step latency,
     * {@code RingStep}): the mean step less its mean chunk's transfer time, at least 0; empty without samples.
     */
    public OptionalDouble latencySeconds(double bandwidthBytesPerSecond) {
        if (steps == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, (seconds - bytes / bandwidthBytesPerSecond) / steps));
    }

    /**
     * What a step's member took to resume on its chunk besides the chunk's bytes at {@code bandwidthBytesPerSecond}, on
     * average over the steps (those whose chunk was there first took nothing): the waits less their chunks' transfer
     * time, over the steps, at least 0; empty without steps that received.
     */
    public OptionalDouble wakeSeconds(double bandwidthBytesPerSecond) {
        if (wakes == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, (wakeSeconds - wakeBytes / bandwidthBytesPerSecond) / wakes));
    }

    /** The wakes alone, without the steps' times (where those would count a shared host twice). */
    public CollectiveSamples wakesOnly() {
        return new CollectiveSamples(0, 0, 0, wakes, wakeSeconds, wakeBytes);
    }
}
