package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.executor.StepResult;

/**
 * How many cores a run's processes kept busy outside their devices' threads while they stepped (the garbage
 * collector, the JIT compiler, ND4J's deallocators, the transport's event loop:
 * {@link StepResult#backgroundCpuSeconds}), and what that leaves of a shared host's capacity to the workers. The host
 * capacity is measured with compute threads alone ({@link HostSharing}); in the run the background work takes its share
 * of the cores beside them: the small gpt on two worker threads of a 2-core machine kept 0.35-0.4 cores busy outside
 * them (the JIT 0.1-0.15, the collector 0.1-0.15, deallocators 0.04) and its workers computed 15-30%
 * slower than calibrated.
 */
public final class BackgroundCpu {
    private final List<Double> cores = new ArrayList<>();

    /** Adds a step: its background CPU time over its wall time. */
    public void add(StepResult step) {
        if (step.seconds() > 0) {
            cores.add(step.backgroundCpuSeconds() / step.seconds());
        }
    }

    /** The median of the steps' background cores; 0 without steps. */
    public double cores() {
        return cores.isEmpty() ? 0 : Timing.median(cores.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The capacity left to the workers of a host of {@code hostCores} cores whose capacity with compute threads alone is
     * {@code hostCapacity}, when background work keeps {@code backgroundCores} busy beside them: the capacity scaled by
     * the share of the cores the background leaves (it takes at most all cores but one), and at least one worker's worth
     * (a host capacity's least).
     */
    public static double capacity(double hostCapacity, double backgroundCores, int hostCores) {
        if (hostCores < 1 || !(backgroundCores >= 0)) {
            throw new IllegalArgumentException("host of " + hostCores + " cores with " + backgroundCores + " background cores");
        }
        return Math.max(1, hostCapacity * (1 - Math.min(backgroundCores, hostCores - 1) / hostCores));
    }
}
