package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.modelpar.profiles.LinkProfile;

/**
 * The link between two workers of this host measured during a run, through the transport the run uses (worker threads:
 * the in-process mailboxes; worker processes: gRPC on loopback), as the profiler measures it (docs/executor.md,
 * "Profiler"): ping-pongs of a small and a large message. A message's time is mostly the receiver's wake-up, which on a
 * host shared with other processes waits for a core; so the samples are taken between the measured steps, like the
 * calibration's passes, and each size's time is the mean of its round trips over all samples (a step pays many
 * messages, the preempted ones included), halved. Latency and bandwidth follow from the two as in
 * {@link Profiler#link}.
 */
public final class LinkSamples {
    private static final long[] BYTES = {64, 1 << 20};
    private static final int WARMUPS = 2;
    private static final int REPETITIONS = 9;
    private final boolean processes;
    private final Timing timing = new Timing(System::nanoTime, WARMUPS, REPETITIONS);
    private final List<Double> small = new ArrayList<>();
    private final List<Double> large = new ArrayList<>();

    /** @param processes whether the run's workers are processes (gRPC) rather than threads of one process */
    public LinkSamples(boolean processes) {
        this.processes = processes;
    }

    /** One sample: {@value #REPETITIONS} round trips of each size after {@value #WARMUPS} untimed ones. */
    public void sample() {
        List<Timing.Measured> trips = Profiler.roundTrips(processes, timing, BYTES);
        small.add(trips.get(0).meanSeconds());
        large.add(trips.get(1).meanSeconds());
    }

    /** The link from the samples so far: the mean one-way time of each size; empty before the first sample. */
    public Optional<LinkProfile> link() {
        if (small.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(link(mean(small) / 2, mean(large) / 2));
    }

    /** The link of one-way times {@code smallSeconds} and {@code largeSeconds} of the two sizes ({@link Profiler#link}). */
    static LinkProfile link(double smallSeconds, double largeSeconds) {
        return Profiler.link(List.of(new ProfileResult.Sample(BYTES[0], smallSeconds), new ProfileResult.Sample(BYTES[1], largeSeconds)));
    }

    private static double mean(List<Double> values) {
        return Timing.mean(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
