package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.modelpar.profiles.LinkProfile;

/**
 * The link between two workers of this host measured during a run, through the transport the run uses (worker threads:
 * the in-process mailboxes; worker processes: gRPC on loopback), as the profiler measures it (docs/executor.md,
 * "Profiler"): ping-pongs of a small and a large message. A message's time is mostly the receiver's wake-up, which on a
 * host shared with other processes waits for a core; so the samples are taken between the measured steps, like the
 * calibration's passes, and each size's time is the mean of its round trips over all samples (a step pays many
 * messages, the preempted ones included), halved; a sample that a garbage collection paused is taken again
 * ({@link GcFree}: a pause stops the whole process, not one message, and one of 40-90 ms outweighs all of a sample's
 * round trips). A message of a run reaches its receiver while the other workers compute (a pipeline's sender goes on
 * with its next pass), so the round trips run beside as many busy threads as the run has other workers: where the host
 * has no core to spare, the receiver's wake-up waits for one. Latency and bandwidth follow from the two sizes as in
 * {@link Profiler#link}.
 */
public final class LinkSamples {
    private static final long[] BYTES = {64, 1 << 20};
    private static final int WARMUPS = 2;
    private static final int REPETITIONS = 9;
    private final boolean processes;
    private final int busy;
    private final Timing timing = new Timing(System::nanoTime, WARMUPS, REPETITIONS);
    private final GcFree gcFree = GcFree.ofThisJvm();
    private final List<Double> small = new ArrayList<>();
    private final List<Double> large = new ArrayList<>();

    /**
     * @param processes whether the run's workers are processes (gRPC) rather than threads of one process
     * @param busy      threads that compute while the messages travel: the run's workers other than the receiver
     */
    public LinkSamples(boolean processes, int busy) {
        if (busy < 0) {
            throw new IllegalArgumentException("busy threads beside a link sample must be >= 0, got " + busy);
        }
        this.processes = processes;
        this.busy = busy;
    }

    /**
     * One sample: {@value #REPETITIONS} round trips of each size after {@value #WARMUPS} untimed ones, beside the busy
     * threads.
     */
    public void sample() {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinning = new ArrayList<>();
        for (int i = 0; i < busy; i++) {
            Thread t = new Thread(() -> spin(stop), "modelpar-link-busy-" + i);
            t.setDaemon(true);
            t.start();
            spinning.add(t);
        }
        try {
            List<Timing.Measured> trips = gcFree.measure(() -> Profiler.roundTrips(processes, timing, BYTES));
            small.add(trips.get(0).meanSeconds());
            large.add(trips.get(1).meanSeconds());
        } finally {
            stop.set(true);
            spinning.forEach(LinkSamples::join);
        }
    }

    /** Computes until {@code stop} (floating-point work the JIT cannot remove: the result decides the exit). */
    private static void spin(AtomicBoolean stop) {
        double x = 1;
        while (!stop.get() && x > 0) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 0.999_999 + 1e-6;
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
