package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.modelpar.executor.StepResult;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;

/**
 * How many cores a run's processes kept busy outside their devices' threads and their transports' event loops while
 * they stepped (the garbage collector, the JIT compiler, ND4J's deallocators: {@link StepResult#backgroundCpuSeconds};
 * the event loops' time is the messages', {@link TransportCpu}), and what that leaves of a shared host's capacity to the workers. The host
 * capacity is measured with compute threads alone ({@link HostSharing}); in the run the background work takes its share
 * of the cores beside them: the small gpt on two worker threads of a 2-core machine kept 0.35-0.4 cores busy outside
 * them (the JIT 0.1-0.15, the collector 0.1-0.15, deallocators 0.04) and its workers computed 15-30%
 * slower than calibrated. That work waits for a core, not for a worker: while workers wait (a pipeline's bubbles, a
 * collective's ring steps, between steps) what arrives runs on the cores they leave idle, and only what arrives while
 * every core is busy competes with compute ({@link #competingCores}): the mlp's two tensor-parallel threads, idle
 * half of each step in their all-reduces, computed at full speed beside 0.44 background cores, and charging all of
 * them to the capacity priced the step 18-27% slow.
 */
public final class BackgroundCpu {
    /** Per step added: its background cores and whether a garbage collection paused it. */
    private final List<Step> steps = new ArrayList<>();

    private record Step(double cores, boolean paused) {
    }

    /** Adds a step: its background CPU time over its wall time. */
    public void add(StepResult step) {
        if (step.seconds() > 0) {
            steps.add(new Step(step.backgroundCpuSeconds() / step.seconds(), step.collections() > 0));
        }
    }

    /**
     * The typical background cores of the steps no garbage collection paused, as the measured step leaves those out
     * ({@link SteadyStep#unpausedOrAll}): a stop-the-world collection's threads count as background, and the small gpt's
     * pipeline 2 x tensor 2 on four threads, a third of whose steady steps were paused, read 0.26-0.49 cores with them;
     * of all steps when every one was paused; 0 without steps.
     */
    public double cores() {
        return steps.isEmpty() ? 0
                : Timing.typical(SteadyStep.unpausedOrAll(steps, Step::paused).stream().mapToDouble(Step::cores).toArray());
    }

    /**
     * The capacity left to the workers of a host of {@code hostCores} cores whose capacity with compute threads alone is
     * {@code hostCapacity}, when background work keeps {@code backgroundCores} busy beside them: the capacity scaled by
     * the share of the cores the background leaves (it takes at most all cores but one), and at least one worker's worth
     * (a host capacity's least).
     */
    public static double capacity(double hostCapacity, double backgroundCores, int hostCores) {
        requireHost(hostCores, backgroundCores);
        return Math.max(1, hostCapacity * (1 - Math.min(backgroundCores, hostCores - 1) / hostCores));
    }

    /**
     * The background cores that compete with the workers: the background's {@code backgroundCores}, arriving at any
     * moment of the step alike, in the share of the step's {@code stepSeconds} during which every core is busy
     * ({@code saturatedSeconds}); what arrives while a core is idle runs there (Wolff, "Poisson arrivals see time
     * averages", Operations Research 30(2), 1982).
     */
    public static double competingCores(double backgroundCores, double saturatedSeconds, double stepSeconds) {
        if (!(backgroundCores >= 0) || !(saturatedSeconds >= 0) || !(stepSeconds > 0)) {
            throw new IllegalArgumentException("background of " + backgroundCores + " cores, " + saturatedSeconds
                    + " s of busy cores in a step of " + stepSeconds + " s");
        }
        return backgroundCores * Math.min(1, saturatedSeconds / stepSeconds);
    }

    /**
     * The seconds of {@code step} during which all {@code hostCores} cores of a host whose workers are {@code devices}
     * are busy: as many of its workers at once in a compute-stream span. Waiting in a receive or a collective leaves a
     * core idle.
     */
    public static double saturatedSeconds(Timeline step, Collection<String> devices, int hostCores) {
        requireHost(hostCores, 0);
        TreeMap<Double, Integer> change = new TreeMap<>();
        for (Span span : step.spans()) {
            if (span.stream() == Stream.COMPUTE && devices.contains(span.device()) && span.seconds() > 0) {
                change.merge(span.startSeconds(), 1, Integer::sum);
                change.merge(span.endSeconds(), -1, Integer::sum);
            }
        }
        double full = 0;
        int running = 0;
        double at = 0;
        for (var e : change.entrySet()) {
            if (running >= hostCores) {
                full += e.getKey() - at;
            }
            running += e.getValue();
            at = e.getKey();
        }
        return full;
    }

    private static void requireHost(int hostCores, double backgroundCores) {
        if (hostCores < 1 || !(backgroundCores >= 0)) {
            throw new IllegalArgumentException("host of " + hostCores + " cores with " + backgroundCores + " background cores");
        }
    }
}
